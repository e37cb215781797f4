"""The definition history page and a published commentary with a data-only row, in a browser: they fit at 1366
and 390 px (no sideways page scroll); screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from indicators.importing.definitions import import_path
from indicators.models import Indicator
from scorecard.editions.publishing import publish_edition
from scorecard.models import EditionVersion
from scorecard.roles import MEMBERS, MI_TEAM
from tests.browser.test_officer_journey import PASSWORD, SCREENSHOTS, browser, shot  # noqa: F401 - browser is a fixture
from tests.editions.conftest import OCTOBER, approve_now
from tests.importing.test_definition_history import REASON, changed_set
from tests.importing.test_definitions import good_set

pytestmark = pytest.mark.browser


def overflow(page) -> float:  # type: ignore[no-untyped-def]
    """How far the page's own content reaches past the window (wide tables scroll in their box)."""
    return float(
        page.evaluate(
            "Math.max(...[...document.querySelectorAll('main > *')].map("
            "e => e.getBoundingClientRect().right)) - window.innerWidth"
        )
    )


def log_in(page, url: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_the_definition_history_fits_at_desktop_and_phone_widths(  # type: ignore[no-untyped-def]
    transactional_db,
    live_server,
    browser,  # noqa: F811
    tmp_path: Path,
):
    mi = User.objects.create_user("browser-mi", password=PASSWORD)
    mi.groups.add(Group.objects.get(name=MI_TEAM))
    import_path(good_set(tmp_path / "first"), "first set-up", mi, commit=True)
    import_path(changed_set(tmp_path / "second"), REASON, mi, commit=True)
    for width in (1366, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        log_in(page, f"{live_server.url}/uploads/definitions/history/", "browser-mi")
        page.wait_for_url("**/uploads/definitions/history/")
        assert page.locator("h1").inner_text() == "Definition history"
        assert "SEND scorecard → SEND monthly scorecard" in page.locator("table.definition-history").inner_text()
        shot(page, f"definition-history-{width}")
        assert overflow(page) <= 0, f"sideways scroll at {width}px"
        page.close()


def test_commentary_on_a_data_only_row_fits_and_says_data_only(  # type: ignore[no-untyped-def]
    transactional_db,
    demo,
    live_server,
    browser,  # noqa: F811
):
    code = sorted(
        {
            item["code"]
            for item in EditionVersion.objects.filter(edition__scorecard__is_default=True)
            .latest("pk")
            .snapshot["commentary"]
        }
    )[0]
    Indicator.objects.filter(code=code).update(rating="none")
    approve_now()
    publish_edition(OCTOBER)
    member = User.objects.create_user("browser-member", password=PASSWORD)
    member.groups.add(Group.objects.get(name=MEMBERS))
    for width in (1366, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        log_in(page, f"{live_server.url}/editions/2024-10/", "browser-member")
        page.wait_for_url("**/editions/2024-10/")
        heading = page.locator("article.commentary h4", has_text=code).first
        heading.scroll_into_view_if_needed()
        assert "data only" in heading.inner_text()
        page.screenshot(path=str(SCREENSHOTS / f"commentary-data-only-{width}.png"))
        assert overflow(page) <= 0, f"sideways scroll at {width}px"
        page.close()
