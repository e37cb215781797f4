"""In a real browser: another council's install (Maidstone, quarterly, set up from its files) shows no Kent and
fits at 1366 and 390 px; an activity indicator's chart draws its expected range as a shaded band.
Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from indicators.models import Indicator, Target
from scorecard.roles import OFFICERS
from tests.browser.test_officer_journey import PASSWORD, browser, shot  # noqa: F401 (browser: a fixture)

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "maidstone-2022-24"
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def log_in(page, base: str) -> None:  # type: ignore[no-untyped-def]
    User.objects.create_user("band-officer", password=PASSWORD).groups.add(Group.objects.get(name=OFFICERS))
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "band-officer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/scorecard/**")


@pytest.mark.parametrize("width", [1366, 390])
def test_another_councils_pages_show_no_kent_and_fit(transactional_db, live_server, browser, width):  # noqa: F811
    call_command("import_definitions", str(FIXTURE), "--commit", stdout=io.StringIO())
    call_command("import_measurements", str(FIXTURE / "measurements.csv"), "--commit", stdout=io.StringIO())
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url)
    for url, name, chart in (
        ("/scorecard/maidstone-borough/", "maidstone-scorecard", False),
        ("/indicators/CTAX/", "maidstone-indicator-ctax", True),
    ):
        page.goto(f"{live_server.url}{url}")
        if chart:
            page.wait_for_selector("#trend-chart[data-drawn=true]")
        assert "kent" not in page.inner_text("body").lower(), url
        assert "kent" not in page.title().lower(), url
        assert page.evaluate(NO_SIDEWAYS_SCROLL), (url, width)
        shot(page, f"{name}-{width}")
    assert not errors


@pytest.mark.parametrize("width", [1366, 390])
def test_an_activity_indicator_draws_its_expected_range(transactional_db, demo, live_server, browser, width):  # noqa: F811
    indicator = Indicator.objects.get(code="CYPE1")
    indicator.activity = True
    indicator.save()
    Target.objects.filter(indicator=indicator, year=2023).update(lower_threshold=Decimal(9), upper_threshold=11)
    Target.objects.filter(indicator=indicator, year=2024).update(
        lower_threshold=Decimal("10.25"), upper_threshold=Decimal("10.5")
    )
    page = browser.new_page(viewport={"width": width, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/indicators/CYPE1/?area=kent")
    page.wait_for_selector("#trend-chart[data-drawn=true]")
    # The band: a filled path of plotly's, named in the legend.
    assert page.locator("#trend-chart .legendtext", has_text="Expected range").count() == 1
    assert page.locator("#trend-chart path.js-fill").count() >= 1
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    shot(page, f"indicator-cype1-expected-range-{width}")
