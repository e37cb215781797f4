"""An activity indicator's row without a value says why there is none ("not supplied"), never "data only" (the
rule none) or "within/above/below expected range": on the officer scorecard, the comparison matrix, the
indicator page and a published edition's unit page."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from indicators.models import Indicator, Measurement, Target
from scorecard.editions.publishing import publish_edition

from .conftest import OCTOBER, approve_now

pytestmark = pytest.mark.django_db
RATING_WORDS = ("data only", "expected range", "within", "above", "below")


@pytest.fixture
def activity(demo: None) -> Indicator:
    """CYPE1 as an activity indicator expected at 10.25–10.5 in 2024-25 (Kent's 10.3 in Oct-24 is within)."""
    indicator = Indicator.objects.get(code="CYPE1")
    Indicator.objects.filter(pk=indicator.pk).update(activity=True)
    Target.objects.filter(indicator=indicator, year=2024).update(
        lower_threshold=Decimal("10.25"), upper_threshold=Decimal("10.5")
    )
    return indicator


def delete_dovers_october(indicator: Indicator) -> None:
    deleted, _ = Measurement.objects.filter(
        indicator=indicator, unit__slug="dover", period_start=date(2024, 10, 1)
    ).delete()
    assert deleted == 1
    cache.clear()  # the pages' cache does not see a deletion behind the upload pipeline's back


@pytest.fixture
def dover_missing(activity: Indicator) -> Indicator:
    """The activity indicator, with Dover's October value missing."""
    delete_dovers_october(activity)
    return activity


def row_of(html: str, code: str) -> str:
    """The table row (<tr>…</tr>) whose cells name the indicator."""
    rows = [row for row in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if re.search(rf">{code}<", row)]
    assert len(rows) == 1, rows
    return rows[0]


def cell_under(html: str, code: str, header: str) -> str:
    """The indicator's cell in the column headed ``header`` (in the table that holds its row)."""
    row = row_of(html, code)
    table = html[html.rindex("<table", 0, html.index(row)) : html.index(row)]
    headers = [words_shown(th).strip() for th in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return cells[headers.index(header)]


def words_shown(html: str) -> str:
    """The text a reader sees or hears: tags dropped, visually-hidden text kept."""
    return re.sub(r"<[^>]+>", " ", html)


def assert_no_rating_words(html: str) -> None:
    shown = words_shown(html)
    assert not [word for word in RATING_WORDS if word in shown], shown


def test_the_officer_scorecard_row_says_not_supplied_and_no_rating(
    dover_missing: Indicator, officer: User, client_for
) -> None:
    client: Client = client_for(officer)
    page = client.get("/scorecard/dover/2024-10/").content.decode()
    assert "not supplied" in words_shown(cell_under(page, "CYPE1", "Latest value"))
    rating = cell_under(page, "CYPE1", "RAG")
    assert rating == '<span class="visually-hidden">no value</span>'
    assert_no_rating_words(rating)
    # Kent has its value: its row still says where it falls.
    kent = row_of(client.get("/scorecard/kent/2024-10/").content.decode(), "CYPE1")
    assert '<span class="rating-word">within expected range</span>' in kent


def test_the_matrix_cell_and_the_indicator_page_say_no_value(  # the latest values of every unit, and the trend
    dover_missing: Indicator, officer: User, client_for
) -> None:
    client: Client = client_for(officer)
    page = client.get("/compare/2024-10/").content.decode()
    cell = re.search(r'<a href="/indicators/CYPE1/\?area=dover&amp;month=2024-10">(.*?)</a>', page, re.S)
    assert cell and "no value" in cell.group(1) and "not supplied" in cell.group(1)
    assert_no_rating_words(cell.group(1))
    indicator_page = client.get("/indicators/CYPE1/?area=dover&month=2024-10").content.decode()
    dover = re.search(r'<tr class="current"><th scope="row"><a [^>]*>Dover</a></th>.*?</tr>', indicator_page, re.S)
    assert dover and "not supplied" in dover.group(0) and "no value" in dover.group(0)
    assert_no_rating_words(dover.group(0).replace("expected-range", ""))
    assert 'Dover\'s trend in CYPE: no direction; <span class="visually-hidden">no value</span>' in indicator_page


def test_a_published_edition_prints_the_status_and_a_blank_rating(
    dover_missing: Indicator, mi_user: User, member: User, client_for
) -> None:
    approve_now()
    publish_edition(OCTOBER, user=mi_user)
    client: Client = client_for(member)
    page = client.get("/editions/2024-10/dover/").content.decode()
    assert "not supplied" in cell_under(page, "CYPE1", "Oct-24")  # the latest column, headed by its period
    assert cell_under(page, "CYPE1", "RAG").strip() == ""
    kent = row_of(client.get("/editions/2024-10/").content.decode(), "CYPE1")
    assert '<span class="rating-word">within expected range</span>' in kent


def summary_counts(html: str) -> dict[str, int]:
    """The officer scorecard's summary: {bucket: count}."""
    found = re.findall(r'<span class="count">(\d+)</span> ([^<]+)</a>', html)
    return {bucket.strip(): int(count) for count, bucket in found}


def test_the_officer_summary_counts_the_row_without_a_value_as_not_rated_and_the_target_shows_the_range(
    activity: Indicator, officer: User, client_for
) -> None:
    client: Client = client_for(officer)
    before = summary_counts(client.get("/scorecard/dover/2024-10/").content.decode())
    delete_dovers_october(activity)
    dover = client.get("/scorecard/dover/2024-10/").content.decode()
    after = summary_counts(dover)
    assert after["not rated"] == before["not rated"] + 1
    assert after.get("data only", 0) == before["data only"] - 1
    # The "not rated" filter lists it; the "data only" filter does not.
    assert ">CYPE1<" in client.get("/scorecard/dover/2024-10/?rag=not+rated").content.decode()
    assert ">CYPE1<" not in client.get("/scorecard/dover/2024-10/?rag=data+only").content.decode()
    kent = client.get("/scorecard/kent/2024-10/").content.decode()
    assert words_shown(cell_under(kent, "CYPE1", "Target")).strip() == "10.25–10.5"
    compare = client.get("/compare/2024-10/").content.decode()
    assert words_shown(cell_under(compare, "CYPE1", "Target")).strip() == "10.25–10.5"


def test_a_published_edition_counts_as_the_live_page_and_prints_the_range_as_the_target(
    dover_missing: Indicator, mi_user: User, member: User, client_for
) -> None:
    live = summary_counts(client_for(mi_user).get("/scorecard/dover/2024-10/").content.decode())
    approve_now()
    publish_edition(OCTOBER, user=mi_user)
    client: Client = client_for(member)
    dover = client.get("/editions/2024-10/dover/").content.decode()
    published = {
        bucket: int(count) for bucket, count in re.findall(r'<span class="rag[^"]*">([^<]+)</span> (\d+)', dover)
    }
    assert published == live
    kent = client.get("/editions/2024-10/").content.decode()
    assert cell_under(kent, "CYPE1", "Target").strip() == "10.25–10.5"
