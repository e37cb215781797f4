"""Each scorecard's own pages: /scorecards/<code>/scorecard/<unit>/[<month>/] and
/scorecards/<code>/compare/[<month>/]."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from indicators.models import Scorecard, ScorecardMembership

from .conftest import add_districts, count_queries, double_indicators

QPR_PAGES = [
    "/scorecards/QPR/scorecard/kent/",
    "/scorecards/QPR/scorecard/kent/2024-09/",
    "/scorecards/QPR/scorecard/dartford/2024-09/",
    "/scorecards/QPR/scorecard/north-kent/2024-09/",
    "/scorecards/QPR/compare/",
    "/scorecards/QPR/compare/2024-09/",
]


@pytest.mark.parametrize("url", QPR_PAGES)
def test_officers_and_the_mi_team_see_them_members_do_not_and_post_is_refused(
    demo: None, officer: User, mi_user: User, member: User, client_for, url: str
) -> None:  # type: ignore[no-untyped-def]
    assert client_for(officer).get(url).status_code == 200
    assert client_for(mi_user).get(url).status_code == 200
    assert client_for(member).get(url).status_code == 403
    assert client_for(officer).post(url).status_code == 405


def test_a_scorecards_page_shows_its_own_indicators_titled_from_its_data(demo: None, officer: User, client_for) -> None:  # type: ignore[no-untyped-def]
    qpr = Scorecard.objects.get(code="QPR")
    members = set(ScorecardMembership.objects.filter(scorecard=qpr).values_list("indicator__code", flat=True))
    page = client_for(officer).get("/scorecards/QPR/scorecard/kent/2024-09/")
    assert f"Kent {qpr.title}" in page.content.decode()
    # The download of the rows shown: exactly its members (the authority reports them all).
    rows = client_for(officer).get("/scorecards/QPR/scorecard/kent/2024-09/?format=csv").content.decode().splitlines()
    codes = {line.split(",")[1] for line in rows[1:]}
    assert codes and codes <= members
    # Its links stay within the scorecard: the pickers, the comparison, the months (quarter ends only).
    text = page.content.decode()
    assert (
        'href="/scorecards/QPR/compare/2024-09/"' in text
        and 'href="/scorecards/QPR/scorecard/dartford/2024-09/"' in text
    )
    assert "/scorecards/QPR/scorecard/kent/2024-10/" not in text and "/scorecards/QPR/scorecard/kent/2024-06/" in text


def test_a_month_that_is_not_its_edition_or_an_unknown_scorecard_is_a_404(
    demo: None, officer: User, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(officer)
    assert client.get("/scorecards/QPR/scorecard/kent/2024-10/").status_code == 404  # quarterly
    assert client.get("/scorecards/NOPE/compare/").status_code == 404
    assert client.get("/scorecards/CYPE/scorecard/kent/2024-10/").status_code == 200  # monthly


def test_the_scorecards_list_links_each_ones_pages(demo: None, officer: User, client_for) -> None:  # type: ignore[no-untyped-def]
    page = client_for(officer).get("/scorecards/").content.decode()
    assert (
        'href="/scorecards/QPR/scorecard/kent/2024-09/"' in page and 'href="/scorecards/QPR/compare/2024-09/"' in page
    )
    assert 'href="/scorecard/kent/2024-10/"' in page and 'href="/compare/2024-10/"' in page  # the default: today's


@pytest.mark.parametrize(
    "url",
    [
        "/scorecards/QPR/scorecard/dartford/2024-09/",
        "/scorecards/QPR/compare/2024-09/",
        "/scorecards/QPR/scorecard/north-kent/2024-09/",
    ],
)
def test_they_run_a_fixed_number_of_queries(
    demo: None, officer: User, client_for, url: str, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(officer)
    before = count_queries(client, url)
    double_indicators()  # N becomes 2N, each copy in the QPR too
    assert ScorecardMembership.objects.filter(scorecard__code="QPR", indicator__code__endswith="-copy").exists()
    assert count_queries(client, url) == before
    add_districts(3)
    assert count_queries(client, url) == before
    with django_assert_max_num_queries(16):  # as the default scorecard's pages (test_scorecard_pages.py)
        client.get(url)
