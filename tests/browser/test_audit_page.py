"""The audit trail page in a browser: it fits at 1366 and 390 px (no sideways page scroll); screenshots."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from scorecard.roles import MI_TEAM
from tests.browser.test_officer_journey import PASSWORD, browser, shot  # noqa: F401 - browser is a fixture

pytestmark = pytest.mark.browser


def test_the_audit_page_fits_at_desktop_and_phone_widths(transactional_db, demo, live_server, browser):  # noqa: F811
    mi = User.objects.create_user("browser-mi", password=PASSWORD)
    mi.groups.add(Group.objects.get(name=MI_TEAM))
    for width in (1366, 390):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(f"{live_server.url}/audit/")
        page.fill("#id_username", "browser-mi")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/audit/")
        assert page.locator("h1").inner_text() == "Audit trail"
        assert (
            page.locator("table.audit-events tbody tr").count() >= 4
        )  # the demo's upload, commit, approval, publication
        # The page's own content (the header's menu is the screens work's): wide tables scroll in their box.
        overflow = page.evaluate(
            "Math.max(...[...document.querySelectorAll('main > *')].map("
            "e => e.getBoundingClientRect().right)) - window.innerWidth"
        )
        shot(page, f"audit-{width}")
        assert overflow <= 0, f"{overflow}px of sideways scroll at {width}px"
        page.close()
