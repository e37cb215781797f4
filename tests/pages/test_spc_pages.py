"""SPC on the officer pages: the scorecard's SPC column, the indicator page's XmR chart, the
synthetic-data banner, and the query counts with SPC on."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from districts.models import ReportingUnit
from indicators.analysis import periods
from indicators.analysis.periods import PeriodKind, month
from indicators.analysis.rag import TargetSpec
from indicators.analysis.spc import MIN_POINTS_FOR_LIMITS, NOT_APPLICABLE_REASON
from indicators.models import Indicator, Measurement, Status
from scorecard.assembly import Value, build_scorecard
from scorecard.pages import spc as spc_pages
from scorecard.synthetic import add_synthetic_history

from .conftest import count_queries, double_indicators

OCT_24 = month(2024, 10)
SPC_HEADER = "SPC: variation and assurance"


@pytest.fixture
def officer_client(demo, officer, client_for):
    return client_for(officer)


@pytest.fixture
def synthetic(demo):
    assert add_synthetic_history() > 0


def table_row(html: str, code: str, area: str) -> str:
    """The <tr> of a scorecard table whose code links to the indicator for that unit."""
    link = f'href="/indicators/{code}/?area={area}&amp;month='
    start = html.index(link)
    return html[html.rindex("<tr>", 0, start) : html.index("</tr>", start)]


def figure(html: str, name: str) -> dict:
    return json.loads(re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.S)[1])


def dover_row(code: str):
    card = build_scorecard(ReportingUnit.objects.get(name="Dover"), OCT_24)
    return next(row for row in card.rows if row.indicator.code == code and row.unit.name == "Dover")


# --- Pure helpers -----------------------------------------------------------------------------


def values(numbers: list[float], synthetic_from: int = 0) -> list[Value]:
    """Monthly values ending Oct-24; the first ``synthetic_from`` are synthetic."""
    first = periods.shift(OCT_24, -(len(numbers) - 1))
    return [
        Value(periods.shift(first, i), Decimal(str(n)), synthetic=i < synthetic_from) for i, n in enumerate(numbers)
    ]


def test_polarity_maps_to_the_improvement_direction_and_target():
    assert [spc_pages.improvement(p) for p in "HLT"] == ["increase", "decrease", "neutral"]
    spec = TargetSpec(target=Decimal(20), band_low=Decimal("17.5"), band_high=Decimal("22.5"))
    assert spc_pages.target_of(spec, "H") == Decimal(20)
    assert spc_pages.target_of(spec, "T") == (Decimal("17.5"), Decimal("22.5"))
    assert spc_pages.target_of(None, "L") is None


def test_rolling_and_year_to_date_series_are_not_charted():
    for data_period in ("R12M", "YTD"):
        summary = spc_pages.series_spc(values([1.0] * 20), data_period, "H", None)
        assert summary.state == spc_pages.SpcState.NOT_APPLICABLE and summary.result is None
        assert summary.message == NOT_APPLICABLE_REASON
        assert "rolling or year-to-date" in spc_pages.cell(summary)


def test_too_few_points_say_how_many_and_statuses_are_skipped():
    history = values([50, 52, 51, 53, 50, 49, 52])
    history.insert(3, Value(periods.month(2024, 1), status=Status.NOT_AVAILABLE))
    summary = spc_pages.series_spc(history, "MS", "H", None)
    assert summary.state == spc_pages.SpcState.TOO_FEW and summary.count == 7
    assert str(spc_pages.cell(summary)) == (
        f'<span class="spc-none">Too few points for SPC (7 of {MIN_POINTS_FOR_LIMITS})</span>'
    )


def test_a_shift_up_is_improvement_when_higher_is_better_and_concern_when_lower_is():
    shifted = [50, 52] * 7 + [80] * 6
    spec = TargetSpec(target=Decimal(60))
    better = spc_pages.series_spc(values(shifted), "MS", "H", spec)
    assert better.state == spc_pages.SpcState.SHOWN and better.variation_words == "Special cause improvement – high"
    worse = spc_pages.series_spc(values(shifted), "MS", "L", spec)
    assert worse.variation_words == "Special cause concern – high"
    html = str(spc_pages.cell(better))
    # An icon (letter, hidden from screen readers) and the words, for each of variation and assurance.
    assert 'aria-hidden="true"' in html and "Special cause improvement – high</span>" in html
    assert better.assurance_words in html


def test_assurance_words_follow_the_target():
    flat = [50, 52] * 10
    assert spc_pages.series_spc(values(flat), "MS", "H", TargetSpec(target=Decimal(40))).assurance_words == (
        "Consistently passes target"
    )
    assert spc_pages.series_spc(values(flat), "MS", "H", TargetSpec(target=Decimal(70))).assurance_words == (
        "Consistently fails target"
    )
    assert spc_pages.series_spc(values(flat), "MS", "H", TargetSpec(target=Decimal(51))).assurance_words == (
        "Hit and miss target"
    )
    band = TargetSpec(target=Decimal(51), band_low=Decimal(40), band_high=Decimal(60))
    neutral = spc_pages.series_spc(values(flat), "MS", "T", band)
    assert neutral.variation_words == "Common cause" and neutral.assurance_words == "Consistently passes target"
    assert spc_pages.series_spc(values(flat), "MS", "H", None).assurance_words == "No target to assure against"


def test_synthetic_points_are_known():
    assert spc_pages.series_spc(values([1, 2] * 8, synthetic_from=3), "MS", "H", None).synthetic
    assert not spc_pages.series_spc(values([1, 2] * 8), "MS", "H", None).synthetic


def test_spc_is_on_unless_switched_off():
    from django.http import QueryDict

    assert spc_pages.enabled(QueryDict(""))
    assert spc_pages.enabled(QueryDict("spc=on"))
    assert not spc_pages.enabled(QueryDict("spc=off"))
    assert not spc_pages.enabled(QueryDict("spc=OFF"))


# --- The row's history ------------------------------------------------------------------------


def test_a_rows_history_is_its_own_kind_up_to_the_edition_oldest_first(synthetic):
    row = dover_row("APP17")
    kinds = {value.period.kind for value in row.history}
    assert kinds == {PeriodKind.MONTH}
    starts = [value.period.start for value in row.history]
    assert starts == sorted(starts) and starts[-1] == OCT_24.start
    assert row.history[0].synthetic and not row.history[-1].synthetic
    quarterly = dover_row("CYPE8")
    assert {value.period.kind for value in quarterly.history} == {PeriodKind.QUARTER}
    assert quarterly.history[-1].period == quarterly.period


# --- The scorecard page -----------------------------------------------------------------------


def test_scorecard_shows_variation_and_assurance_once_there_is_history(officer_client, synthetic):
    html = officer_client.get("/scorecard/dover/").content.decode()
    assert SPC_HEADER in html
    row = dover_row("APP17")
    summary = spc_pages.row_spc(row)
    assert summary.state == spc_pages.SpcState.SHOWN and summary.count >= MIN_POINTS_FOR_LIMITS
    cells = table_row(html, "APP17", "dover")
    assert f'<span class="spc-words">{summary.variation_words}</span>' in cells
    assert f'<span class="spc-words">{summary.assurance_words}</span>' in cells
    # The words come from the icons' sets, not free text.
    words = {w for _, _, w in spc_pages.VARIATION.values()} | {w for _, _, w in spc_pages.ASSURANCE.values()}
    assert summary.variation_words in words and summary.assurance_words in words


def test_scorecard_says_too_few_points_without_history(officer_client):
    html = officer_client.get("/scorecard/dover/").content.decode()
    count = sum(1 for value in dover_row("APP17").history if value.value is not None)
    assert 0 < count < MIN_POINTS_FOR_LIMITS
    assert f"Too few points for SPC ({count} of {MIN_POINTS_FOR_LIMITS})" in table_row(html, "APP17", "dover")
    assert "synthetic-banner" not in html


def test_scorecard_says_spc_is_not_for_rolling_figures(officer_client, synthetic):
    assert Indicator.objects.get(code="CYPE6").data_period == "R12M"
    html = officer_client.get("/scorecard/dover/").content.decode()
    cells = table_row(html, "CYPE6", "dover")
    assert "SPC not shown: rolling or year-to-date figure" in cells and "spc-words" not in cells
    assert NOT_APPLICABLE_REASON in html  # the full reason, in the keys


def test_spc_off_hides_the_column_and_stays_in_the_links_and_form(officer_client, synthetic):
    html = officer_client.get("/scorecard/dover/?spc=off&rag=RED").content.decode()
    assert SPC_HEADER not in html and "spc-words" not in html
    assert '<option value="off" selected>Hidden</option>' in html  # the filter form keeps it
    assert 'href="/scorecard/dover/2024-09/?spc=off&amp;rag=RED"' in html  # so do the month links
    assert "Show the SPC column" in html
    on = officer_client.get("/scorecard/dover/?spc=on").content.decode()
    assert SPC_HEADER in on and "Hide the SPC column" in on


def test_spc_column_is_not_in_the_exports(officer_client, synthetic):
    on = officer_client.get("/scorecard/dover/?format=csv").content
    off = officer_client.get("/scorecard/dover/?format=csv&spc=off").content
    assert on == off


# --- Synthetic data is marked -----------------------------------------------------------------


def test_synthetic_banner_on_the_scorecard_only_while_synthetic_values_are_used(officer_client, synthetic):
    assert "synthetic-banner" in officer_client.get("/scorecard/dover/").content.decode()
    # SPC off, and the edition's seven months are real: nothing synthetic is shown.
    assert "synthetic-banner" not in officer_client.get("/scorecard/dover/?spc=off").content.decode()
    # An edition inside the synthetic years shows synthetic values in its cells.
    old = officer_client.get("/scorecard/dover/2023-06/?spc=off").content.decode()
    assert "synthetic-banner" in old and '<span class="visually-hidden"> (synthetic)</span>' in old


def test_synthetic_banner_on_area_and_compare_pages_when_they_show_synthetic_values(officer_client, synthetic):
    for url in ("/scorecard/south-kent/2023-06/", "/compare/2023-06/"):
        assert "synthetic-banner" in officer_client.get(url).content.decode()
    for url in ("/scorecard/south-kent/", "/compare/"):
        assert "synthetic-banner" not in officer_client.get(url).content.decode()


def test_indicator_page_marks_synthetic_values(officer_client, synthetic):
    html = officer_client.get("/indicators/APP17/?area=dover").content.decode()
    assert "synthetic-banner" in html
    trend = {trace["name"]: trace for trace in figure(html, "trend-figure")["data"]}
    ring = trend["Synthetic history (generated, not real figures)"]
    assert (
        ring["marker"]["symbol"] == "circle-open"
        and len(ring["x"])
        == Measurement.objects.filter(indicator__code="APP17", unit__name="Dover", synthetic=True).count()
    )
    values_table = html[html.index("<caption>APP17 values for Dover") :]
    assert '<tr class="synthetic">' in values_table and "synthetic (generated, not a real figure)" in values_table
    spc = {trace["name"]: trace for trace in figure(html, "spc-figure")["data"]}
    assert "Synthetic history (generated, not real figures)" in spc


def test_indicator_page_has_no_banner_without_synthetic_data(officer_client):
    html = officer_client.get("/indicators/APP17/?area=dover").content.decode()
    assert "synthetic-banner" not in html and 'class="synthetic"' not in html


# --- The indicator page's SPC chart -----------------------------------------------------------


def hand_built_series(code: str, unit_name: str, numbers: list[int]) -> None:
    """Replace a unit's monthly values with ``numbers``, ending Oct-24."""
    indicator = Indicator.objects.get(code=code)
    unit = ReportingUnit.objects.get(name=unit_name)
    Measurement.objects.filter(indicator=indicator, unit=unit).delete()
    first = periods.shift(OCT_24, -(len(numbers) - 1))
    Measurement.objects.bulk_create(
        Measurement(
            indicator=indicator,
            unit=unit,
            period_kind=PeriodKind.MONTH.value,
            period_start=periods.shift(first, i).start,
            value=Decimal(n),
        )
        for i, n in enumerate(numbers)
    )


def test_indicator_page_draws_the_xmr_chart_with_special_causes(officer_client):
    # 14 months around 51, then six at 80: the jump is far above the upper limit (improvement, H),
    # and the early months sit below the lower limit of the whole series (concern).
    numbers = [50, 52] * 7 + [80] * 6
    hand_built_series("APP17", "Dover", numbers)
    html = officer_client.get("/indicators/APP17/?area=dover").content.decode()
    data = figure(html, "spc-figure")["data"]
    traces = {trace["name"]: trace for trace in data}
    assert len(traces["Dover"]["y"]) == len(numbers)
    mean = sum(numbers) / len(numbers)
    assert traces["Mean (centre line)"]["y"] == pytest.approx([mean] * len(numbers), abs=0.01)
    upper, lower = traces["Upper process limit"]["y"], traces["Lower process limit"]["y"]
    assert lower[0] < mean < upper[0] < 80
    improvement = traces["Special cause improvement"]
    assert improvement["marker"]["symbol"] == "triangle-up" and improvement["y"] == [80.0] * 6
    assert set(improvement["customdata"]) == {"Above UCL"}
    concern = traces["Special cause concern"]
    assert (
        concern["marker"]["symbol"] == "triangle-down" and concern["marker"]["color"] != improvement["marker"]["color"]
    )
    assert "Target (Oct-24)" in traces
    assert "Special cause improvement – high" in html  # the icon words above the chart
    values_table = html[html.index("<caption>APP17 values for Dover") :]
    assert "Special cause improvement: Above UCL" in values_table
    assert "synthetic-banner" not in html


def test_indicator_page_says_why_there_is_no_spc_chart(officer_client):
    html = officer_client.get("/indicators/SCS13/").content.decode()
    assert NOT_APPLICABLE_REASON in html and 'id="spc-figure"' not in html
    short = officer_client.get("/indicators/APP17/?area=dover").content.decode()
    assert "Too few points for SPC" in short and 'id="spc-figure"' not in short
    off = officer_client.get("/indicators/APP17/?area=dover&spc=off").content.decode()
    assert "SPC is switched off" in off and '<input type="hidden" name="spc" value="off">' in off


# --- Acceptance: a fixed number of queries -----------------------------------------------------


@pytest.mark.parametrize("url", ["/scorecard/dover/", "/scorecard/kent/", "/indicators/APP17/?area=dover"])
def test_spc_pages_run_the_same_fixed_number_of_queries(officer_client, synthetic, url, django_assert_max_num_queries):
    separator = "&" if "?" in url else "?"
    with_spc = count_queries(officer_client, url)
    assert count_queries(officer_client, f"{url}{separator}spc=off") == with_spc
    double_indicators()
    assert count_queries(officer_client, url) == with_spc
    assert count_queries(officer_client, f"{url}{separator}spc=off") == with_spc
    with django_assert_max_num_queries(16):
        officer_client.get(url)


def test_district_page_with_spc_shows_icons_for_every_doubled_indicator(officer_client, synthetic):
    double_indicators()
    html = officer_client.get("/scorecard/dover/").content.decode()
    assert (
        table_row(html, "APP17-copy", "dover").count('class="spc-words"')
        == table_row(html, "APP17", "dover").count('class="spc-words"')
        > 0
    )


def test_every_figure_the_indicator_pages_draw_is_valid_plotly(officer_client, synthetic):
    """The line charts are written as plotly JSON without graph objects (for speed): plotly checks them here."""
    import json
    import re

    import plotly.graph_objects as go

    from indicators.models import Indicator

    checked = 0
    for indicator in Indicator.objects.all():
        for area in ("kent", "dover", "dover-cswt"):
            html = officer_client.get(f"/indicators/{indicator.code}/?area={area}").content.decode()
            for name, text in re.findall(
                r'<script id="([a-z]+-figure)" type="application/json">(.*?)</script>', html, re.S
            ):
                figure = json.loads(text)
                if figure is None:
                    continue
                go.Figure(figure)  # raises on any property plotly does not know or any value it refuses
                assert figure["layout"]["template"], name  # plotly's default look, as graph objects give
                checked += 1
    assert checked > 3 * Indicator.objects.count()  # trend, SPC and bar charts among them


def test_too_few_points_is_said_once_above_each_table_not_in_every_row(officer_client):
    """The note names the table and the count; each such row's cell shows "–" (the words for screen readers only)."""
    html = officer_client.get("/scorecard/dover/").content.decode()
    notes = re.findall(r'<p class="table-note">([^<]*): Too few points for SPC in (\d+)', html)
    captions = re.findall(r"<caption>(.*?)</caption>", html)
    assert notes and {caption for caption, _ in notes} <= set(captions)
    assert len({caption for caption, _ in notes}) == len(notes)  # once per table
    hidden = html.count('<span aria-hidden="true">–</span><span class="visually-hidden">Too few points for SPC (')
    assert hidden == sum(int(count) for _, count in notes)
    assert html.count('<span class="spc-none">Too few points') == 0  # no visible per-row sentence
