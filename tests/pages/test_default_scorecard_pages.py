"""Today's URLs (/scorecard/<unit>/…, /compare/…, area pages, their downloads) mean the default scorecard:
its members, sections, order, trend length, direction method and edition months, exactly as
/scorecards/<default code>/…, with their links unprefixed. Only an install with no scorecard at all
shows every indicator there."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from indicators.models import Indicator, ReportedFor, Scorecard, ScorecardMembership
from scorecard.models import Edition, EditionVersion

from .conftest import count_queries


@pytest.fixture
def officer_client(demo: None, officer: User, client_for) -> Client:  # type: ignore[no-untyped-def]
    return client_for(officer)


def codes_in(csv_text: str) -> set[str]:
    return {row["indicator"] for row in csv.DictReader(io.StringIO(csv_text))}


def qpr_only_indicator() -> Indicator:
    """An indicator of the QPR reported below the authority, taken out of the default scorecard (CYPE)."""
    indicator = (
        Indicator.objects.filter(memberships__scorecard__code="QPR").exclude(reported_for=ReportedFor.AUTHORITY).first()
    )
    assert indicator is not None
    ScorecardMembership.objects.filter(scorecard__is_default=True, indicator=indicator).delete()
    return indicator


def test_an_indicator_not_in_the_default_scorecard_is_not_on_todays_pages(officer_client: Client) -> None:
    indicator = qpr_only_indicator()
    link = f'href="/indicators/{indicator.code}/?'
    for url in ("/scorecard/kent/2024-09/", "/scorecard/dover/2024-09/", "/compare/2024-09/", "/scorecard/north-kent/"):
        page = officer_client.get(url)
        assert page.status_code == 200, url
        assert link not in page.content.decode(), url
        download = officer_client.get(f"{url}?format=csv").content.decode()
        assert indicator.code not in codes_in(download), url
        assert codes_in(download), url  # the others are there
    # It is on the scorecard it belongs to, its links carrying that scorecard.
    for url in ("/scorecards/QPR/scorecard/dover/2024-09/", "/scorecards/QPR/compare/2024-09/"):
        page = officer_client.get(url).content.decode()
        assert re.search(re.escape(link) + r'area=[a-z-]+&amp;month=2024-09&amp;scorecard=QPR"', page), url
        assert indicator.code in codes_in(officer_client.get(f"{url}?format=csv").content.decode()), url


@pytest.mark.parametrize(
    ("today", "prefixed"),
    [
        ("/scorecard/dover/2024-10/", "/scorecards/CYPE/scorecard/dover/2024-10/"),
        ("/scorecard/kent/", "/scorecards/CYPE/scorecard/kent/"),
        ("/scorecard/south-kent/2024-10/", "/scorecards/CYPE/scorecard/south-kent/2024-10/"),
        ("/compare/2024-10/", "/scorecards/CYPE/compare/2024-10/"),
    ],
)
def test_todays_pages_are_the_default_scorecards_with_unprefixed_links(
    officer_client: Client, today: str, prefixed: str
) -> None:
    ScorecardMembership.objects.filter(scorecard__code="CYPE", indicator__code="APP17").delete()
    assert officer_client.get(f"{today}?format=csv").content == officer_client.get(f"{prefixed}?format=csv").content
    page = officer_client.get(today).content.decode()
    assert "/scorecards/CYPE/" not in page
    assert 'href="/compare/2024-10/"' in page or today.startswith("/compare/")
    # The default scorecard's indicator links carry no ?scorecard= (the indicator page's default).
    assert "scorecard=CYPE" not in officer_client.get(prefixed).content.decode()


def test_a_quarterly_default_scorecard_gives_todays_pages_its_quarter_end_months(officer_client: Client) -> None:
    Scorecard.objects.update(is_default=False)
    Scorecard.objects.filter(code="QPR").update(is_default=True)
    members = set(ScorecardMembership.objects.filter(scorecard__code="QPR").values_list("indicator__code", flat=True))
    page = officer_client.get("/scorecard/kent/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "as at September 2024" in text  # its latest edition, not October
    assert 'href="/scorecard/kent/2024-06/"' in text and 'href="/scorecard/kent/2024-08/"' not in text
    assert codes_in(officer_client.get("/scorecard/kent/?format=csv").content.decode()) <= members
    missing = officer_client.get("/scorecard/kent/2024-10/")
    assert missing.status_code == 404
    assert "Jun, Sep, Dec or Mar" in missing.content.decode()
    assert officer_client.get("/compare/2024-10/").status_code == 404
    assert officer_client.get("/compare/").status_code == 200


def test_with_no_scorecard_at_all_todays_pages_show_every_indicator(officer_client: Client) -> None:
    # The demo's published editions belong to its scorecards: an install with none has published nothing.
    EditionVersion.objects.all().delete()
    Edition.objects.all().delete()
    Scorecard.objects.all().delete()
    download = officer_client.get("/scorecard/kent/2024-10/?format=csv").content.decode()
    authority_level = set(Indicator.objects.values_list("code", flat=True))
    assert codes_in(download) == authority_level
    assert officer_client.get("/compare/").status_code == 200
    assert officer_client.get("/scorecard/north-kent/").status_code == 200


@pytest.mark.parametrize("url", ["/scorecard/dover/2024-10/", "/compare/2024-10/"])
def test_todays_pages_cost_no_more_queries_than_the_prefixed_ones(officer_client: Client, url: str) -> None:
    prefixed = url.replace("/scorecard/", "/scorecards/CYPE/scorecard/").replace(
        "/compare/", "/scorecards/CYPE/compare/"
    )
    counts = []
    for each in (url, prefixed):
        cache.clear()  # both build their parts (they share them: the same scorecard)
        counts.append(count_queries(officer_client, each))
    assert counts[0] == counts[1]
