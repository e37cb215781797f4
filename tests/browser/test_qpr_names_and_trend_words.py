"""In a real browser: the QPR (a second scorecard, direction by trend) prints its own names and a trend's words
on its scorecard page and a published edition's page, fitting at 1366 and 390 px.
Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from indicators.models import Scorecard
from scorecard.roles import OFFICERS
from tests.browser.test_officer_journey import PASSWORD, browser, shot  # noqa: F401 (browser: a fixture)

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("width", [1366, 390])
def test_the_qpr_pages_carry_its_names_and_trend_words(transactional_db, demo, live_server, browser, width):  # noqa: F811
    User.objects.create_user("qpr-officer", password=PASSWORD).groups.add(Group.objects.get(name=OFFICERS))
    qpr = Scorecard.objects.get(code="QPR")
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "qpr-officer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/scorecard/**")
    for url, name in (
        ("/scorecards/QPR/scorecard/kent/2024-09/", "qpr-scorecard"),
        ("/scorecards/QPR/editions/2024-09/", "qpr-edition"),
    ):
        page.goto(f"{live_server.url}{url}")
        assert qpr.title in page.title() and qpr.title in page.inner_text("header"), url
        assert "Quarterly Performance Report's indicators" in page.inner_text("footer"), url
        assert "no clear trend" in page.inner_text("main"), url
        assert page.evaluate(NO_SIDEWAYS_SCROLL), (url, width)
        shot(page, f"{name}-{width}")
    assert not errors
