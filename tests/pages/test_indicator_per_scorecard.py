"""The indicator page judged as in one scorecard (?scorecard=CODE): its trend length and direction method, the
scorecard named on the page, links that keep it, and a clear 404 for a scorecard that is not there."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client

from districts.models import ReportingUnit
from indicators.analysis import periods
from indicators.models import Indicator, Scorecard, ScorecardMembership
from scorecard.assembly import build_scorecard
from scorecard.pages.charts import direction_words

from .conftest import add_districts, count_queries, double_indicators

QPR_PAGE = "/indicators/SCS13/?area=kent&month=2024-09&scorecard=QPR"


@pytest.fixture
def officer_client(demo: None, officer: User, client_for) -> Client:  # type: ignore[no-untyped-def]
    return client_for(officer)


def text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def trend_headers(html: str) -> list[str]:
    table = html[html.index('class="values-table judged-trend"') :]
    table = table[: table.index("</thead>")]
    return re.findall(r'<th scope="col" class="num">([^<]+)</th>', table)


def test_by_default_it_is_judged_as_in_the_default_scorecard(officer_client: Client) -> None:
    cype = Scorecard.objects.get(is_default=True)
    html = text(officer_client, "/indicators/SCS13/")
    assert f"Judged as in <strong>{cype.title}</strong> ({cype.code})" in html
    assert "direction of travel against the previous period" in html  # SCS13's own method
    assert len(trend_headers(html)) == 7  # seven months, as printed
    assert "Also in" in html and "scorecard=QPR" in html  # the QPR holds it too
    assert 'href="/scorecard/kent/2024-10/"' in html  # today's URLs for the default


def test_in_another_scorecard_its_trend_length_and_direction_method_and_links(officer_client: Client) -> None:
    qpr = Scorecard.objects.get(code="QPR")
    html = text(officer_client, QPR_PAGE)
    assert f"Judged as in <strong>{qpr.title}</strong> (QPR)" in html
    assert "direction of travel by the trend" in html
    assert len(trend_headers(html)) == qpr.trend_periods == 12
    # The words are the QPR's own: the row the QPR's scorecard shows for Kent.
    kent = ReportingUnit.objects.authority()
    row = next(
        row
        for row in build_scorecard(kent, periods.month(2024, 9), qpr).rows
        if row.indicator.code == "SCS13" and row.unit == kent
    )
    assert row.compares_with == "trend"
    assert f"trend in QPR: {direction_words(row)}" in html
    assert direction_words(row) in ("improving trend", "worsening trend", "no clear trend")
    # Its links stay in the QPR: its pages, the unit picker, the units' rows.
    assert (
        'href="/scorecards/QPR/scorecard/kent/2024-09/"' in html and 'href="/scorecards/QPR/compare/2024-09/"' in html
    )
    assert '<input type="hidden" name="scorecard" value="QPR">' in html
    assert "&amp;month=2024-09&amp;scorecard=QPR" in html


def test_not_in_the_default_scorecard_it_is_judged_in_the_first_that_holds_it(officer_client: Client) -> None:
    ScorecardMembership.objects.filter(scorecard__is_default=True, indicator__code="SCS13").delete()
    html = text(officer_client, "/indicators/SCS13/")
    assert "Judged as in <strong>Quarterly Performance Report</strong> (QPR)" in html
    assert "as at September 2024" in html  # the QPR's latest edition
    assert "Also in" not in html
    # Links from the QPR's pages carry it; today's pages no longer show it.
    assert "/indicators/SCS13/?area=kent&amp;month=2024-09&amp;scorecard=QPR" in text(
        officer_client, "/scorecards/QPR/scorecard/kent/2024-09/"
    )


def test_in_no_scorecard_it_is_judged_by_its_own_settings(officer_client: Client) -> None:
    ScorecardMembership.objects.filter(indicator__code="APP17").delete()
    html = text(officer_client, "/indicators/APP17/")
    assert "In no scorecard: judged by its own settings" in html


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/indicators/SCS13/?scorecard=NOPE", "There is no scorecard &#x27;NOPE&#x27;"),
        ("/indicators/SCS13/?scorecard=QPR&month=2024-10", "Jun, Sep, Dec or Mar"),
        ("/indicators/SCS13/?scorecard=QPR&month=2024-10&format=csv", "Jun, Sep, Dec or Mar"),
    ],
)
def test_an_unknown_scorecard_or_a_month_not_its_edition_is_a_clear_404(
    officer_client: Client, url: str, message: str
) -> None:
    response = officer_client.get(url)
    assert response.status_code == 404
    assert message in response.content.decode()


def test_a_scorecard_that_does_not_hold_the_indicator_is_a_clear_404(officer_client: Client) -> None:
    outside = Indicator.objects.exclude(memberships__scorecard__code="QPR").first()
    assert outside is not None
    response = officer_client.get(f"/indicators/{outside.code}/?scorecard=QPR&month=2024-09")
    assert response.status_code == 404
    assert "is not in Quarterly Performance Report (QPR)" in response.content.decode()


def test_its_download_is_the_scorecards_rows(officer_client: Client) -> None:
    lines = officer_client.get(f"{QPR_PAGE}&format=csv").content.decode().splitlines()
    header = lines[0].split(",")
    kent = dict(zip(header, next(line for line in lines[1:] if line.startswith("Kent,")).split(","), strict=False))
    assert kent["period"] == "Sep-24" and kent["dot"] in ("improved", "worsened", "same")


def test_officers_and_the_mi_team_see_it_members_do_not_and_post_is_refused(
    demo: None, officer: User, mi_user: User, member: User, client_for
) -> None:  # type: ignore[no-untyped-def]
    assert client_for(officer).get(QPR_PAGE).status_code == 200
    assert client_for(mi_user).get(QPR_PAGE).status_code == 200
    assert client_for(member).get(QPR_PAGE).status_code == 403
    assert client_for(officer).post(QPR_PAGE).status_code == 405


@pytest.mark.parametrize("url", [QPR_PAGE, "/indicators/SCS13/?area=dover-cswt&month=2024-09&scorecard=QPR"])
def test_it_runs_a_fixed_number_of_queries(officer_client: Client, url: str, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    before = count_queries(officer_client, url)
    double_indicators()
    assert count_queries(officer_client, url) == before
    add_districts(3)
    Scorecard.objects.create(code="MORE", title="One more", organisation="x")
    assert count_queries(officer_client, url) == before
    with django_assert_max_num_queries(16):
        officer_client.get(url)


def test_the_months_of_a_quarterly_scorecard_are_its_quarter_ends(officer_client: Client) -> None:
    html = text(officer_client, "/indicators/SCS13/?scorecard=QPR")
    assert "as at September 2024" in html
    assert date(2024, 9, 1).strftime("%B %Y") in html
