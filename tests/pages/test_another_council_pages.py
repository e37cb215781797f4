"""Another council's install shows no Kent: Maidstone Borough Council set up from its files alone on a fresh
database (quarterly figures only, one quarterly scorecard), then every officer and MI page as each role sees it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from indicators.models import Indicator

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "maidstone-2022-24"

# Every page an officer or the MI team opens with a GET, by URL name (from the URL confs: a test below fails
# when a page is added there and not here). The others post, download a file, or need an object the
# install has not got (a person, a published edition: the editions' own tests cover those).
NOT_PAGES = {
    "healthz",  # JSON
    "login",
    "logout",
    "upload-file",  # downloads
    "upload-template",
    "target-template",
    "scorecard-download",
    "edition",  # a published edition's pages (none is published here: tests/editions cover them)
    "edition-unit",
    "edition-changes",
    "edition-pack",
    "edition-pack-pdf",
    "edition-publish-start",  # posts
    "edition-approve-start",
    "edition-publish",
    "edition-approve",
    "person-deactivate",
    "person-reactivate",
    "person-edit",  # a person's page: of someone added there
    "edition-commentary-edit",
    "target-upload-detail",  # a bulk target upload's or a set-up upload's page: the command line made none
    "definition-upload-detail",
    "indicator",  # every indicator's page is listed apart
    "audit",  # listed below
}


def maidstone_pages() -> list[str]:
    indicators = list(Indicator.objects.values_list("code", flat=True))
    assert indicators
    return [
        "/",
        "/scorecards/",
        "/scorecard/maidstone-borough/",
        "/scorecard/maidstone-borough/2023-12/",
        "/scorecard/maidstone-borough/2022-06/",
        "/compare/",
        "/compare/2023-09/",
        "/scorecards/CORP/scorecard/maidstone-borough/",
        "/scorecards/CORP/scorecard/maidstone-borough/2023-12/",
        "/scorecards/CORP/compare/",
        "/scorecards/CORP/compare/2023-09/",
        *(f"/indicators/{code}/" for code in indicators),
        *(f"/indicators/{code}/?area=maidstone-borough&month=2023-12&scorecard=CORP" for code in indicators),
        "/uploads/",
        "/uploads/new/",
        "/uploads/targets/",
        "/uploads/targets/years/",
        "/uploads/chasing/",
        "/uploads/footnotes/",
        "/uploads/definitions/",
        "/uploads/definitions/history/",
        "/editions/",
        "/editions/2023-12/commentary/",
        "/scorecards/CORP/editions/",
        "/scorecards/CORP/editions/2023-12/commentary/",
        "/people/",
        "/people/new/",
        "/audit/",
    ]


def page_names() -> set[str]:
    """Every named URL of the project but Django's admin (its pages are Django's own)."""
    names: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns)
            elif pattern.name:
                names.add(pattern.name)

    walk(get_resolver().url_patterns)
    return names


@pytest.fixture
def maidstone(db: None) -> None:
    call_command("import_definitions", str(FIXTURE), "--commit", "--reason", "set-up", stdout=io.StringIO())
    call_command("import_measurements", str(FIXTURE / "measurements.csv"), "--commit", stdout=io.StringIO())


def test_every_page_shows_no_kent_to_an_officer_or_the_mi_team(
    maidstone: None, officer: User, mi_user: User, client_for
) -> None:  # type: ignore[no-untyped-def]
    from indicators.models import Upload

    extra = [f"/uploads/{upload.pk}/" for upload in Upload.objects.all()[:1]]
    assert len(extra) == 1  # the measurements' upload
    officer_client: Client = client_for(officer)
    problems = []
    for user, client, urls in (
        ("officer", officer_client, [url for url in maidstone_pages() if not is_mi_page(url)]),
        ("mi", Client(), maidstone_pages() + extra),
    ):
        if user == "mi":
            client.force_login(mi_user)
        for url in urls:
            response = client.get(url, follow=True)
            text = response.content.decode()
            if response.status_code != 200:
                problems.append(f"{user} {url}: {response.status_code}")
            elif "kent" in text.lower():
                at = text.lower().index("kent")
                problems.append(f"{user} {url}: …{text[max(0, at - 80) : at + 40]}…")
    assert not problems, "\n".join(problems)


def is_mi_page(url: str) -> bool:
    return url.startswith(("/uploads/", "/people/", "/audit/"))


def test_the_list_covers_every_page_the_url_confs_name(maidstone: None) -> None:
    from django.urls import resolve

    covered = {resolve(url.split("?")[0]).url_name for url in maidstone_pages()}
    covered |= {"upload-detail"}
    # One scorecard's edition pages (/scorecards/<code>/editions/…) mirror /editions/…: the same exclusions hold.
    mirrored = {f"definition-{name}" for name in NOT_PAGES if name.startswith("edition")}
    assert page_names() - covered - NOT_PAGES - mirrored == set()


def test_the_authority_page_is_the_default_scorecards_as_at_its_latest_quarter(
    maidstone: None, officer: User, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(officer)
    page = client.get("/scorecard/maidstone-borough/").content.decode()
    assert "as at December 2023" in page
    assert 'href="/scorecard/maidstone-borough/2023-09/"' in page
    assert client.get("/scorecard/maidstone-borough/2023-11/").status_code == 404  # not a quarter's end


def test_targets_profiled_by_quarter_are_steps_of_their_quarters_on_the_chart(
    maidstone: None, officer: User, client_for
) -> None:  # type: ignore[no-untyped-def]
    import json
    import re

    html = client_for(officer).get("/indicators/CTAX/").content.decode()
    match = re.search(r'<script id="trend-figure" type="application/json">(.*?)</script>', html, re.DOTALL)
    assert match
    target = next(trace for trace in json.loads(match[1])["data"] if trace["name"] == "Target")
    steps = list(zip(target["x"][0::3], target["x"][1::3], target["y"][0::3], strict=True))
    assert steps == [
        ("2022-04-01", "2022-07-01", 18.49),  # Q1 22-23
        ("2022-10-01", "2023-01-01", 73.31),  # Q3
        ("2023-01-01", "2023-04-01", 95.75),  # Q4
        ("2023-07-01", "2023-10-01", 54.93),  # Q2 23-24
        ("2023-10-01", "2023-12-16", 82.42),  # Q3, to the axis' end (the edition month, December)
    ]


def test_an_indicator_page_names_the_period_of_each_profiled_target(maidstone: None, officer: User, client_for) -> None:  # type: ignore[no-untyped-def]
    import re

    page = client_for(officer).get("/indicators/CTAX/").content.decode()
    table = page[page.index('<table class="targets-table">') :]
    table = table[: table.index("</table>")]
    periods = re.findall(r'<th scope="row">([^<]+)</th>', table)
    # Council tax collection: a target for each quarter reported, Q1 22-23 first, as its targets sheet gives them.
    assert periods[0] == "Q1 22-23"
    assert all(re.fullmatch(r"Q[1-4] \d\d-\d\d", label) for label in periods), periods
