"""An officer's journey in a real browser (Chromium via Playwright), on the live server with the demo data.

Logs in, opens a district, filters to RED, opens an indicator chart, switches a comparison on and
downloads the XLSX. A screenshot of each page goes to test-artifacts/screenshots/.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from scorecard.roles import OFFICERS
from tests.conftest import skip_or_fail

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "a-long-browser-test-password"

pytestmark = pytest.mark.browser


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the playwright python package is not installed")
    if not os.path.exists(CHROMIUM):
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run inside
    # one unless told it is safe (the test's own queries are synchronous).
    # Set for this test only: left in the environment it would, for example, fail `check --deploy`.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"],
        )
        yield browser
        browser.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_officer_journey(transactional_db, demo, live_server, browser, tmp_path):
    officer = User.objects.create_user("browser-officer", password=PASSWORD)
    officer.groups.add(Group.objects.get(name=OFFICERS))
    page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    # Every resource loads (plotly.js and charts.js from static/); the browser's own favicon probe aside.
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/scorecard/dover/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "browser-officer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/scorecard/dover/")
    assert page.locator("h1").inner_text().startswith("Dover scorecard")
    shot(page, "1-district")

    page.select_option("#id_rag", "RED")
    page.click("text=Apply filters")
    page.wait_for_url("**rag=RED**")
    rag_cells = page.locator("table.scorecard-table tbody tr")
    assert rag_cells.count() > 0
    for index in range(rag_cells.count()):
        assert "RED" in rag_cells.nth(index).inner_text()
    shot(page, "2-district-red")

    page.locator("table.scorecard-table tbody a").first.click()
    page.wait_for_selector("#trend-chart[data-drawn=true]")
    assert "area=dover" in page.url
    comparison = page.locator(".comparison-switches input[type=checkbox]").first
    assert not comparison.is_checked()
    visible_lines = page.locator("#trend-chart .scatterlayer .trace").count()
    comparison.check()
    page.wait_for_timeout(300)
    assert comparison.is_checked()
    assert page.locator("#trend-chart .scatterlayer .trace").count() > visible_lines
    page.wait_for_selector("#bar-chart[data-drawn=true]")
    shot(page, "3-indicator")

    page.go_back()
    page.wait_for_url("**rag=RED**")
    with page.expect_download() as download_info:
        page.click("text=XLSX")
    download = download_info.value
    assert download.suggested_filename == "scorecard-dover-2024-10.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(saved.read_bytes())).active.values)
    assert rows[0][0] == "area" and len(rows) > 1 and all(row[12] == "RED" for row in rows[1:])

    page.goto(f"{live_server.url}/compare/")
    shot(page, "4-compare")
    page.goto(f"{live_server.url}/scorecard/north-kent/")
    shot(page, "5-area")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    assert not errors, errors


def test_spc_views(transactional_db, demo, live_server, browser):
    """The SPC column and chart with synthetic history: drawn, switchable off, and screenshotted."""
    from scorecard.synthetic import add_synthetic_history

    add_synthetic_history()
    officer = User.objects.create_user("browser-spc", password=PASSWORD)
    officer.groups.add(Group.objects.get(name=OFFICERS))
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.goto(f"{live_server.url}/accounts/login/?next=/scorecard/dover/")
    page.fill("#id_username", "browser-spc")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/scorecard/dover/")
    assert page.locator(".synthetic-banner").is_visible()
    assert page.locator("td.spc .spc-words").count() > 0
    page.set_viewport_size({"width": 2300, "height": 900})  # the whole table, SPC column included
    shot(page, "6-district-spc")
    page.set_viewport_size({"width": 1400, "height": 900})

    page.click("text=Hide the SPC column")
    page.wait_for_url("**spc=off**")
    assert page.locator("td.spc").count() == 0
    page.click("text=Show the SPC column (statistical process control)")
    page.wait_for_url("**/scorecard/dover/**")
    assert page.locator("td.spc").count() > 0

    page.goto(f"{live_server.url}/indicators/APP17/?area=dover")
    page.wait_for_selector("#spc-chart[data-drawn=true]")
    assert page.locator("#spc-chart .scatterlayer .trace").count() >= 4  # values, mean, two limits
    page.locator("#spc-heading").scroll_into_view_if_needed()
    shot(page, "7-indicator-spc")
    page.locator("#spc-chart").screenshot(path=str(SCREENSHOTS / "8-spc-chart.png"))
    assert not errors, errors
