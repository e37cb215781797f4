"""The indicator page's charts in a real browser: the JavaScript it loads, the toolbar out of the tab
order, and the x-axis ending at the edition month. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from scorecard.roles import OFFICERS
from tests.browser.test_officer_journey import PASSWORD, browser, shot  # noqa: F401 (browser: a fixture)

pytestmark = pytest.mark.browser

JS_BUDGET_BYTES = 1_500_000


@pytest.mark.parametrize("width", [1366, 390])
def test_indicator_charts_load_light_and_stay_out_of_the_tab_order(transactional_db, demo, live_server, browser, width):  # noqa: F811
    User.objects.create_user("chart-officer", password=PASSWORD).groups.add(Group.objects.get(name=OFFICERS))
    page = browser.new_page(viewport={"width": width, "height": 900})
    scripts: dict[str, int] = {}
    page.on(
        "response",
        lambda response: (
            scripts.__setitem__(response.url, len(response.body()))
            if response.request.resource_type == "script" and response.ok
            else None
        ),
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "chart-officer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/scorecard/**")

    page.goto(f"{live_server.url}/indicators/APP17/?area=dover")
    page.wait_for_selector("#trend-chart[data-drawn=true]")
    page.wait_for_selector("#bar-chart[data-drawn=true]")
    assert not errors
    assert any("plotly" in url for url in scripts)
    assert sum(scripts.values()) < JS_BUDGET_BYTES, scripts

    # The toolbar: one button (download as PNG) per chart, none of them a tab stop; nothing else in a chart is.
    buttons = page.locator(".chart .modebar-btn")
    assert buttons.count() == page.locator(".chart[data-drawn=true]").count() == 2
    assert {buttons.nth(i).get_attribute("data-title") for i in range(buttons.count())} == {"Download plot as a PNG"}
    tab_stops = page.evaluate(
        "() => Array.from(document.querySelectorAll('.chart *')).filter(e => e.tabIndex >= 0).length"
    )
    assert tab_stops == 0
    # The last x-axis tick is no later than the edition month (October 2024).
    ticks = page.evaluate(
        "() => Array.from(document.querySelectorAll('#trend-chart .xtick text')).map(t => t.textContent)"
    )
    assert ticks and not any(text.endswith("2025") or text.startswith(("Nov", "Dec")) for text in ticks), ticks
    shot(page, f"indicator-app17-dover-{width}")
