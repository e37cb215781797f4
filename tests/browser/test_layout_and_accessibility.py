"""Every page type, as each role that can see it, in Chromium at 1366 × 900 and 320 × 800 (issue 12).

For each page and width:
- the document never scrolls sideways (WCAG 2.2 reflow, 1.4.10): wide tables scroll in their own box;
- axe-core (vendored in tests/browser/assets/, MPL-2.0) finds no WCAG 2.0/2.1/2.2 A or AA violation;
- at 1366, on the authority, a district and the member's edition pages, the first row's RAG cell is
  inside the viewport without scrolling.
One browser and one live server for the whole run; each role logs in once through the login form.
Screenshots of the authority, district and member pages at both widths go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from scorecard.roles import MEMBERS, MI_TEAM, OFFICERS, SERVICE_LEADS
from tests.conftest import skip_or_fail

CHROMIUM = "/usr/bin/chromium"
ASSETS = Path(__file__).resolve().parent / "assets"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "a-long-browser-test-password"
WIDTHS = {1366: 900, 320: 800}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Plotly draws its mode bar's buttons (links) inside the chart container, which is an image to
# assistive technology: axe reports "nested-interactive" on the container. The mode bar is plotly's
# own markup; the charts branch takes it out of the tab order. Only that rule, only on the charts.
PLOTLY_CHARTS = ("#trend-chart", "#bar-chart", "#spc-chart")

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Check:
    path: str
    rag_in_view: bool = False  # the first row's RAG cell is visible at 1366 without scrolling
    shot: str = ""  # a screenshot's name (both widths)
    optional: bool = False  # a page another branch adds: checked when it exists (not a 404)


# Every page type is opened by every role that may see it; a page type seen by several roles is opened in
# full by one of them and as a sample by the others (axe takes seconds on a large page).
SCORECARDS = [
    Check("/scorecard/kent/", rag_in_view=True, shot="authority"),
    Check("/scorecard/dover/", rag_in_view=True, shot="district"),
    Check("/scorecard/kent/?trend=full"),
    Check("/scorecard/sevenoaks/"),  # no data: the headline
    Check("/scorecard/north-kent/"),
    Check("/scorecard/dover-cswt/", optional=True),  # team pages (the charts branch)
    Check("/indicators/APP17/?area=dover"),
    Check("/compare/"),
    Check("/uploads/chasing/"),
]
EDITION_LIST, EDITION, EDITION_UNIT = (
    Check("/editions/"),
    Check("/editions/2024-10/"),
    Check("/editions/2024-10/dover/"),
)
# Another scorecard's editions (the demo publishes its quarterly report as at September 2024).
QPR_EDITION = Check("/scorecards/QPR/editions/2024-09/")
MEMBER = [
    Check("/editions/", shot="member-editions"),
    Check("/scorecards/QPR/editions/"),
    Check("/scorecards/QPR/editions/2024-09/", rag_in_view=True, shot="member-qpr"),
    Check("/scorecards/QPR/editions/2024-09/dover/"),
    Check("/scorecards/QPR/editions/2024-09/pack/"),
    Check("/editions/2024-10/", rag_in_view=True, shot="member-authority"),
    Check("/editions/2024-10/dover/", rag_in_view=True, shot="member-district"),
    Check("/editions/2024-10/sevenoaks/"),
    Check("/editions/2024-10/pack/"),
]
COMMENTARY = [Check("/editions/2024-10/commentary/"), Check("/editions/2024-10/commentary/APP17/")]
QPR_COMMENTARY = [
    Check("/scorecards/QPR/editions/2024-09/commentary/"),
    Check("/scorecards/QPR/editions/2024-09/commentary/SCS19/"),
]
OFFICER = [
    *SCORECARDS,
    EDITION_LIST,
    EDITION,
    EDITION_UNIT,
    Check("/editions/2024-10/changes/"),
    *COMMENTARY,
    QPR_EDITION,
    Check("/scorecards/QPR/editions/2024-09/changes/"),
    *QPR_COMMENTARY,
]
LEAD = [
    SCORECARDS[1],
    SCORECARDS[6],
    SCORECARDS[7],
    SCORECARDS[8],
    EDITION_LIST,
    EDITION,
    Check("/editions/2024-10/approve/"),
    Check("/scorecards/QPR/editions/2024-09/approve/"),
]
MI = [
    SCORECARDS[0],
    Check("/uploads/"),
    Check("/uploads/new/"),
    Check("/uploads/{upload}/"),
    Check("/uploads/targets/"),
    Check("/uploads/targets/years/"),
    Check("/uploads/footnotes/"),
    SCORECARDS[8],
    Check("/people/"),
    Check("/people/new/"),
    Check("/people/{person}/"),
    EDITION,
    Check("/editions/2024-10/publish/"),
    Check("/editions/", shot="mi-editions"),
    Check("/scorecards/QPR/editions/2024-09/publish/", shot="mi-qpr-publish"),
    *COMMENTARY,
    Check("/audit/", optional=True),  # the audit branch's page
]
ROLES: dict[str, tuple[str, list[Check]]] = {
    "member": (MEMBERS, MEMBER),
    "officer": (OFFICERS, OFFICER),
    "lead": (SERVICE_LEADS, LEAD),
    "mi": (MI_TEAM, MI),
}

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
# The first data row's RAG cell (by its column header) in the first scorecard table, in viewport coordinates.
FIRST_RAG = """() => {
  const table = document.querySelector('table.scorecard-table');
  if (!table) return null;
  const headers = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
  const column = headers.indexOf('RAG');
  const cell = table.querySelector('tbody tr').children[column];
  const box = cell.getBoundingClientRect();
  return {column, left: box.left, right: box.right, top: box.top, bottom: box.bottom,
          width: window.innerWidth, height: window.innerHeight, scrolled: window.scrollY};
}"""
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.map(n => n.target.join(' '))}));
}"""


def allowed(violation: dict[str, object]) -> bool:
    """The one scoped-out case: plotly's mode bar inside a chart (see PLOTLY_CHARTS)."""
    return violation["id"] == "nested-interactive" and all(node in PLOTLY_CHARTS for node in violation["nodes"])


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the playwright python package is not installed")
    if not os.path.exists(CHROMIUM):
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run inside one
    # unless told it is safe (the test's own queries are synchronous). Set for this module only.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"],
        )
        yield browser
        browser.close()


def make_users() -> dict[str, User]:
    users = {}
    for role, (group, _) in ROLES.items():
        users[role] = User.objects.create_user(f"layout-{role}", password=PASSWORD)
        users[role].groups.add(Group.objects.get(name=group))
    return users


def make_upload(user: User) -> int:
    """An upload waiting for confirmation, so the MI status page has something to show."""
    from indicators.importing import load
    from indicators.models import Upload

    content = b"indicator,area,period,value,numerator,denominator,status\nAPP17,Dover,Oct-24,12.5,,,\n"
    upload = Upload.objects.create(filename="values.csv", content=content, size=len(content), uploaded_by=user)
    load.save_preview(upload)
    return upload.pk


def log_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def page_problems(page, path: str, check: Check, role: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Sideways scroll, the RAG cell's place and axe's violations, for the page as it is now."""
    width = page.viewport_size["width"]
    where = f"{role} {path} at {width}px"
    problems = []
    if not page.evaluate(NO_SIDEWAYS_SCROLL):
        wide = page.evaluate("document.documentElement.scrollWidth")
        problems.append(f"{where}: scrolls sideways ({wide}px wide)")
    if check.rag_in_view and width == 1366:
        box = page.evaluate(FIRST_RAG)
        if box is None or box["column"] < 0:
            problems.append(f"{where}: no scorecard table with a RAG column")
        elif not (
            box["scrolled"] == 0
            and box["left"] >= 0
            and box["right"] <= box["width"]
            and box["top"] >= 0
            and box["bottom"] <= box["height"]
        ):
            problems.append(f"{where}: the first row's RAG cell is not in view without scrolling: {box}")
    page.evaluate(AXE_SOURCE)
    for violation in page.evaluate(RUN_AXE, AXE_TAGS):
        if not allowed(violation):
            problems.append(
                f"{where}: axe {violation['id']} ({violation['impact']}): {violation['help']} "
                f"at {json.dumps(violation['nodes'][:5])}"
            )
    return problems


AXE_SOURCE = (ASSETS / "axe.min.js").read_text()


def test_every_page_fits_and_passes_axe_for_every_role(transactional_db, demo, live_server, chromium):
    users = make_users()
    values = {"upload": make_upload(users["mi"]), "person": users["officer"].pk}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    visited = 0
    for role, (_, checks) in {"anonymous": ("", [Check("/accounts/login/")]), **ROLES}.items():
        context = chromium.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        if role in users:
            log_in(page, live_server.url, users[role].username)
        for check in checks:
            path = check.path.format(**values)
            for width, height in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": height})
                response = page.goto(f"{live_server.url}{path}")
                if check.optional and response.status == 404:
                    break
                if response.status != 200:
                    problems.append(f"{role} {path}: HTTP {response.status}")
                    break
                page.wait_for_load_state("networkidle")
                visited += 1
                problems += page_problems(page, path, check, role)
                if check.shot and role in ("officer", "member"):
                    page.screenshot(path=str(SCREENSHOTS / f"layout-{check.shot}-{width}.png"))
        problems += [f"{role}: page error {error}" for error in errors]
        context.close()
    assert visited >= 2 * (1 + len(MEMBER) + len(OFFICER) + len(LEAD) + len(MI) - 3)  # optional pages aside
    assert not problems, "\n".join(problems)
