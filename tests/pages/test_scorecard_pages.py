"""The scorecard pages: Kent, a district, an area; filters, statuses, rounding, 404s and query counts."""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest

from districts.models import ReportingUnit
from indicators.analysis.periods import month
from indicators.models import Indicator, Measurement, Status
from scorecard.assembly import build_scorecard
from scorecard.pages.tables import SCORECARD_COLUMNS

from .conftest import add_districts, count_queries, double_indicators

OCT_24 = month(2024, 10)


def captions(response) -> list[str]:
    return re.findall(r"<caption>(.*?)</caption>", response.content.decode())


def table_rows(response) -> int:
    """Rows in the scorecard tables' bodies."""
    html = response.content.decode()
    return sum(body.count("<tr>") for body in re.findall(r"<tbody>(.*?)</tbody>", html, re.S))


@pytest.fixture
def officer_client(demo, officer, client_for):
    return client_for(officer)


def test_kent_page_shows_kents_own_values_in_the_printed_tables(officer_client):
    response = officer_client.get("/scorecard/kent/")
    card = build_scorecard(ReportingUnit.objects.authority(), OCT_24)
    assert {row.unit.name for row in card.rows} == {"Kent"}
    assert captions(response) == list(dict.fromkeys(Indicator.objects.values_list("table", flat=True)))
    assert table_rows(response) == len(card.rows) == Indicator.objects.count()
    for bucket, count in card.summary().items():
        assert f'<span class="count">{count}</span> {bucket}' in response.content.decode()


def test_district_page_has_a_block_per_serving_team(officer_client):
    response = officer_client.get("/scorecard/dover/2024-10/")
    shown = captions(response)
    assert "ICS Monthly — Dover CSWT" in shown and "ICS Monthly — Dover EHU" in shown
    assert shown.index("Education Monthly") < shown.index("ICS Monthly — Dover CSWT") < shown.index("ICS Quarterly")
    # Kent's authority-only indicators are not on a district's page.
    assert "Annual Primary - Vulnerable Learners" not in shown


def test_a_district_with_two_teams_shows_both(officer_client):
    shown = captions(officer_client.get("/scorecard/swale/"))
    assert "ICS Monthly — Swale Central CSWT" in shown and "ICS Monthly — Swale Island &amp; Rural CSWT" in shown


def test_full_trend_has_seven_months_and_the_headers_name_them(officer_client):
    html = officer_client.get("/scorecard/kent/?trend=full").content.decode()
    first_table = html[html.index("<caption>Education Monthly</caption>") :]
    header = first_table[: first_table.index("</thead>")]
    for label in ("Apr-24", "May-24", "Jun-24", "Jul-24", "Aug-24", "Sep-24", "Oct-24"):
        assert f">{label}</th>" in header
    assert 'class="sparkline"' not in first_table and "Show the trend as a sparkline" in html


def test_trend_is_one_sparkline_column_with_every_month_in_words(officer_client):
    """By default the seven months are one narrow column, so value, direction, target and RAG fit a laptop."""
    html = officer_client.get("/scorecard/kent/").content.decode()
    first_table = html[html.index("<caption>Education Monthly</caption>") :]
    header = first_table[: first_table.index("</thead>")]
    assert ">Apr-24</th>" not in header and 'Trend <span class="period">Apr-24 to Oct-24</span>' in header
    row = first_table[first_table.index("<tbody>") : first_table.index("</tr>", first_table.index("<tbody>"))]
    kent_app17 = build_scorecard(ReportingUnit.objects.authority(), OCT_24).rows[0]
    spoken = ", ".join(f"{value.period.label} {value.value:.1f}" for value in kent_app17.trend)
    assert f'<span class="visually-hidden">Trend: {spoken}</span>' in row
    assert '<svg class="spark"' in row and 'aria-hidden="true"' in row
    assert 'href="?trend=full"' in html  # every month one link away


def test_a_unit_with_no_data_says_so_in_a_headline(officer_client):
    html = officer_client.get("/scorecard/sevenoaks/").content.decode()
    assert '<h2 class="no-data">No data received for Sevenoaks for October 2024</h2>' in html
    assert "No data received" not in officer_client.get("/scorecard/dover/").content.decode()


def test_values_are_rounded_half_up_to_the_indicators_decimals(officer_client):
    measurement = (
        Measurement.objects.filter(
            unit__name="Kent", indicator__decimals=1, period_start=OCT_24.start, value__isnull=False
        )
        .select_related("indicator")
        .first()
    )
    measurement.value = Decimal("66.65")  # half-even rounding would give 66.6
    measurement.save()
    html = officer_client.get("/scorecard/kent/?trend=full").content.decode()
    assert ">66.7</td>" in html and "66.6" not in html
    sparkline = officer_client.get("/scorecard/kent/").content.decode()
    assert "Oct-24 66.7" in sparkline and "66.6" not in sparkline


def test_statuses_show_as_printed(officer_client):
    measurement = Measurement.objects.filter(
        unit__name="Dover", period_start=OCT_24.start, indicator__frequency="monthly"
    ).first()
    measurement.value, measurement.status = None, Status.TO_BE_SUPPLIED
    measurement.save()
    html = officer_client.get("/scorecard/dover/").content.decode()
    assert "data to be supplied" in html
    assert "N/A" in html  # the children-in-care team rows
    # Sevenoaks's values are not in the demo data: "not supplied".
    assert "not supplied" in officer_client.get("/scorecard/sevenoaks/").content.decode()


def test_rag_and_direction_are_never_colour_alone(officer_client):
    html = officer_client.get("/scorecard/dover/").content.decode()
    assert re.search(r'<span class="rag rag-RED">RED</span>', html)
    assert re.search(r'aria-hidden="true">[↑↓↔]</span><span class="visually-hidden">(improved|worsened|same)', html)


def test_keys_are_one_click_away(officer_client):
    html = officer_client.get("/scorecard/dover/").content.decode()
    assert 'href="#keys"' in html and '<details class="keys" id="keys">' in html


def test_area_page_shows_its_districts_and_teams_side_by_side(officer_client):
    html = officer_client.get("/scorecard/north-kent/2024-10/").content.decode()
    for unit in ("Dartford", "Gravesham", "Sevenoaks", "Dartford CSWT", "Sevenoaks South &amp; Tunbridge Wells CSWT"):
        assert f'title="Sort by {unit}"' in html  # a column each
    for elsewhere in ("Kent", "Dover", "Dover CSWT"):
        assert f'title="Sort by {elsewhere}"' not in html
    assert "Education Monthly — districts" in html and "ICS Monthly — social work teams" in html


def test_unknown_slug_is_404(officer_client):  # a team's slug has a page (tests/pages/test_charts.py)
    response = officer_client.get("/scorecard/nowhere/")
    assert response.status_code == 404
    assert "no scorecard for" in response.content.decode()


def test_month_without_data_is_404_with_a_clear_message(officer_client):
    response = officer_client.get("/scorecard/dover/2023-01/")
    assert response.status_code == 404
    assert "There are no figures for January 2023" in response.content.decode()
    assert officer_client.get("/compare/2031-01/").status_code == 404


def test_an_earlier_month_is_its_own_edition(officer_client):
    html = officer_client.get("/scorecard/kent/2024-09/").content.decode()
    assert "as at September 2024" in html and "Mar-24 to Sep-24" in html and " to Oct-24" not in html


def test_unit_and_month_pickers_link_to_every_district_and_month(officer_client):
    html = officer_client.get("/scorecard/dover/").content.decode()
    for district in ReportingUnit.objects.districts():
        assert f'href="/scorecard/{district.slug}/2024-10/"' in html
    assert 'href="/scorecard/north-kent/2024-10/"' in html
    assert 'href="/scorecard/dover/2024-09/"' in html


# --- Filters -----------------------------------------------------------------------------------


def test_filter_by_rag_shows_only_those_rows(officer_client):
    card = build_scorecard(ReportingUnit.objects.get(name="Dover"), OCT_24)
    response = officer_client.get("/scorecard/dover/?rag=RED")
    assert table_rows(response) == card.summary()["RED"] > 0
    bodies = re.findall(r"<tbody>(.*?)</tbody>", response.content.decode(), re.S)
    rows = [row for body in bodies for row in body.split("<tr>")[1:]]
    assert rows and all('<span class="rag rag-RED">RED</span>' in row for row in rows)


def test_filters_combine_and_search_code_or_name(officer_client):
    education = officer_client.get("/scorecard/kent/?section=Education")
    assert table_rows(education) == Indicator.objects.filter(section="Education").count()
    by_code = officer_client.get("/scorecard/kent/?q=scs13")
    assert table_rows(by_code) == 1
    by_name = officer_client.get("/scorecard/kent/?q=EHCP&section=Education")
    assert table_rows(by_name) == Indicator.objects.filter(name__icontains="EHCP", section="Education").count()


def test_no_qpr_column_or_filter_the_qpr_has_its_own_pages(officer_client):
    """Membership of the QPR scorecard replaced the flag: an old bookmark's ?qpr=on filters nothing."""
    page = officer_client.get("/scorecard/kent/?qpr=on")
    html = page.content.decode()
    assert table_rows(page) == Indicator.objects.count()
    assert ">QPR</th>" not in html and "QPR indicators only" not in html and "in the QPR" not in html
    assert not page.context["form"].errors


def test_a_bad_filter_value_is_reported_not_an_error(officer_client):
    response = officer_client.get("/scorecard/kent/?rag=PURPLE")
    assert response.status_code == 200
    assert "were not understood" in response.content.decode()
    assert table_rows(response) == Indicator.objects.count()


# --- Query counts and render time --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/scorecard/kent/",
        "/scorecard/dover/",
        "/scorecard/south-kent/",
        "/scorecard/dover-cswt/",
        "/compare/",
        "/indicators/APP17/?area=dover",
        "/indicators/SCS13/",
        "/indicators/SCS03/?area=swale",
    ],
)
def test_pages_run_a_fixed_number_of_queries(officer_client, url, django_assert_max_num_queries):
    before = count_queries(officer_client, url)
    double_indicators()
    assert count_queries(officer_client, url) == before
    add_districts(3)
    assert count_queries(officer_client, url) == before
    with django_assert_max_num_queries(16):
        officer_client.get(url)


@pytest.mark.parametrize("month", ["2024-10", "2024-09"])  # published, and not (every row provisional)
def test_a_district_page_costs_the_same_whatever_its_teams(officer_client, month):
    """Dover has two teams, Swale three, Sevenoaks four shared ones and no data; Kent none: one fixed count."""
    counts = {
        unit: count_queries(officer_client, f"/scorecard/{unit}/{month}/")
        for unit in ("dover", "swale", "sevenoaks", "kent")
    }
    assert len(set(counts.values())) == 1, counts


def test_the_column_list_is_one_place():
    names = [spec.name for spec in SCORECARD_COLUMNS if not isinstance(spec, str)]
    assert names[:4] == ["code", "name", "polarity", "data_period"]
    assert {
        "value",
        "numerator",
        "denominator",
        "dot",
        "target",
        "rag",
        "previous_outturn",
        "previous_target",
        "previous_rag",
        "benchmark",
        "england",
    } <= set(names)


def test_render_time_of_the_kent_page(officer_client, capsys):
    officer_client.get("/scorecard/kent/")  # warm the template cache
    started = time.perf_counter()
    response = officer_client.get("/scorecard/kent/")
    elapsed = time.perf_counter() - started
    cells = response.content.decode().count("<td")
    with capsys.disabled():
        print(f"\nKent scorecard: {cells} cells in {elapsed * 1000:.0f} ms")
    assert elapsed < 5
