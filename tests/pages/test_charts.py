"""The indicator page's charts: the JavaScript it loads, the trace types the bundle draws, the axis, the
labels and the picker; a district on an indicator its teams report; the team scorecard pages."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from html import escape
from itertools import pairwise
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from districts.models import ReportingUnit, UnitKind
from indicators.analysis.periods import PeriodKind
from indicators.models import Indicator, Measurement
from scorecard.pages import charts

from .conftest import add_districts, count_queries, double_indicators

JS_BUDGET_BYTES = 1_500_000  # the acceptance: less than 1.5 MB of JavaScript
OCT_24 = date(2024, 10, 1)


@pytest.fixture
def officer_client(demo, officer, client_for):
    return client_for(officer)


def figure(html: str, name: str) -> dict | None:
    match = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.DOTALL)
    return json.loads(match[1]) if match else None


def page(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def selected_options(html: str) -> list[str]:
    picker = html[html.index('<select name="area" id="area">') :]
    picker = picker[: picker.index("</select>")]
    return re.findall(r'<option value="([^"]+)" selected>', picker)


# --- The JavaScript and the bundle ---------------------------------------------------------------


def bundle_trace_types() -> set[str]:
    """The trace types the served plotly.js registers (each trace module names itself in the bundle)."""
    text = Path(finders.find("js/plotly-basic.min.js")).read_text(encoding="utf-8")
    return set(re.findall(r'moduleType:"trace",name:"([a-z0-9]+)"', text))


@pytest.mark.parametrize("url", ["/indicators/APP17/", "/indicators/SCS03/?area=ashford", "/indicators/SCS13/"])
def test_the_indicator_page_loads_less_than_1_5_mb_of_javascript(officer_client, url):
    html = page(officer_client, url)
    sources = re.findall(r'<script[^>]*\ssrc="([^"]+)"', html)
    assert any("plotly" in source for source in sources)
    total = 0
    for source in sources:
        assert source.startswith(settings.STATIC_URL), source  # served from static/, no CDN
        path = finders.find(source.removeprefix(settings.STATIC_URL))
        assert path, source
        total += Path(path).stat().st_size
    assert total < JS_BUDGET_BYTES, f"{total:,} bytes of JavaScript"


def test_the_bundle_draws_the_trace_types_the_charts_module_says():
    assert bundle_trace_types() == charts.TRACE_TYPES


def test_every_figure_uses_only_trace_types_the_bundle_draws(officer_client):
    drawn = bundle_trace_types()
    seen: set[str] = set()
    for indicator in Indicator.objects.all():
        for area in ("kent", "ashford", "ashford-cswt"):
            html = page(officer_client, f"/indicators/{indicator.code}/?area={area}")
            for name in ("trend-figure", "spc-figure", "bar-figure"):
                shown = figure(html, name)
                for trace in (shown or {}).get("data", []):
                    seen.add(trace.get("type", "scatter"))  # plotly's default type is scatter
    assert seen and seen <= drawn, seen - drawn
    assert {"scatter", "bar"} <= seen


# --- The axis and the labels ------------------------------------------------------------------


def test_the_x_axis_ends_at_the_edition_month(officer_client):
    for url in ("/indicators/APP17/", "/indicators/SCS13/", "/indicators/SCS03/?area=ashford-cswt"):
        trend = figure(page(officer_client, url), "trend-figure")
        end = date.fromisoformat(trend["layout"]["xaxis"]["range"][1][:10])
        assert OCT_24 <= end <= OCT_24 + timedelta(days=16), (url, end)
        # No line runs past the axis either (the target steps used to run to the next April).
        for trace in trend["data"]:
            days = [date.fromisoformat(x[:10]) for x in trace["x"] if x]
            assert not days or max(days) <= end, (url, trace["name"])


def test_the_axis_of_an_earlier_month_ends_at_that_month(officer_client):
    trend = figure(page(officer_client, "/indicators/APP17/?month=2024-08"), "trend-figure")
    end = date.fromisoformat(trend["layout"]["xaxis"]["range"][1][:10])
    assert date(2024, 8, 1) <= end < date(2024, 9, 1)


def test_reference_lines_are_named_beside_the_plot_apart_from_each_other(officer_client):
    """England (50.3) lies on the floor (50) for APP17: distinct dashes, and labels that do not collide."""
    trend = figure(page(officer_client, "/indicators/APP17/"), "trend-figure")
    lines = {trace["name"].split(":")[0]: trace for trace in trend["data"]}
    dashes = [lines[name]["line"]["dash"] for name in ("Target", "Floor", "England", "Benchmark group")]
    assert len(set(dashes)) == 4, dashes
    labels = trend["layout"]["annotations"]
    texts = [label["text"] for label in labels]
    assert any(text.startswith("Floor") for text in texts) and any(text.startswith("England") for text in texts)
    for label in labels:  # in the right margin, outside the plot: never on a line
        assert label["xref"] == "paper" and label["x"] >= 1 and label["xanchor"] == "left"
    assert trend["layout"]["margin"]["r"] >= 100
    # Apart by at least the gap (in axis units: the span of the values shown over the plot's height).
    levels = sorted(label["y"] for label in labels)
    assert all(b > a for a, b in pairwise(levels))


def test_the_bar_chart_writes_nothing_on_the_bars_and_names_the_authority_in_the_legend(officer_client):
    bars = figure(page(officer_client, "/indicators/APP17/?area=dover"), "bar-figure")
    layout = bars["layout"]
    assert not layout.get("annotations") and not layout.get("shapes")
    bar = next(trace for trace in bars["data"] if trace["type"] == "bar")
    assert "text" not in bar and bar["orientation"] == "h"
    # Value and RAG word in each unit's axis label, left of the plot.
    assert all(re.search(r"<br>[\d.,-]+ (RED|AMBER|GREEN|not rated)$", text) for text in layout["yaxis"]["ticktext"])
    assert any(text.startswith("<b>Dover</b>") for text in layout["yaxis"]["ticktext"])  # the unit shown
    authority = next(trace for trace in bars["data"] if trace["type"] == "scatter")
    assert authority["name"].startswith("Kent: ") and layout["showlegend"] is True


def test_lines_of_units_with_no_values_are_left_out(officer_client):
    trend = figure(page(officer_client, "/indicators/APP17/"), "trend-figure")
    names = {trace["name"] for trace in trend["data"]}
    assert "Dover" in names and "Swale" not in names  # Swale has no APP17 figures in the demo


# --- The picker shows the unit shown ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("/indicators/APP17/?area=ashford", "ashford"),
        ("/indicators/APP17/", "kent"),
        ("/indicators/SCS03/?area=ashford", "ashford"),  # a district on a team indicator: not among the teams
        ("/indicators/SCS03/?area=ashford-cswt", "ashford-cswt"),
        ("/indicators/APP17/?area=ashford-cswt", "ashford-cswt"),  # a team on a district indicator
    ],
)
def test_the_show_picker_selects_the_unit_shown(officer_client, url, slug):
    assert selected_options(page(officer_client, url)) == [slug]


# --- A district on an indicator its teams report -------------------------------------------------


def test_a_district_charts_the_teams_serving_it_on_a_team_indicator(officer_client):
    html = page(officer_client, "/indicators/SCS03/?area=ashford")
    trend = figure(html, "trend-figure")
    shown = [trace for trace in trend["data"] if trace.get("visible", True) is True and trace.get("mode") != "lines"]
    team = ReportingUnit.objects.get(slug="ashford-cswt")
    assert [trace["name"] for trace in shown] == [team.name]
    values = Measurement.objects.filter(
        indicator__code="SCS03", unit=team, period_kind=PeriodKind.MONTH.value, value__isnull=False
    ).count()
    assert len([y for y in shown[0]["y"] if y is not None]) == values > 0
    assert "does not report this indicator" not in html
    assert 'href="?area=ashford-cswt&amp;month=2024-10">Ashford CSWT</a>' in html
    assert "<caption>SCS03 values for Ashford CSWT, newest first</caption>" in html
    assert "SCS03: Ashford CSWT" in trend["layout"]["title"]["text"]


def test_a_district_with_two_teams_charts_both(officer_client):
    swale = ReportingUnit.objects.get(slug="swale")
    teams = [team.name for team in swale.serving_teams.filter(service="cswt")]
    assert len(teams) >= 2
    html = page(officer_client, "/indicators/SCS03/?area=swale")
    trend = figure(html, "trend-figure")
    drawn = [
        trace["name"]
        for trace in trend["data"]
        if trace.get("visible", True) is True and "role" not in trace.get("meta", {}) and trace["mode"] != "lines"
    ]
    assert sorted(drawn) == sorted(teams)
    for team in teams:
        assert f"values for {escape(team)}, newest first</caption>" in html
    assert "choose one of the teams" in html


def test_a_unit_that_reports_nothing_still_says_so(officer_client):
    html = page(officer_client, "/indicators/SCS03/?area=kent")
    assert "does not report" not in html
    html = page(officer_client, "/indicators/APP17/?area=ashford-cswt")
    assert "Ashford CSWT does not report this indicator" in html


# --- Team scorecard pages ---------------------------------------------------------------------


def test_a_team_has_a_scorecard_page_of_its_own_indicators(officer_client):
    team = ReportingUnit.objects.get(slug="ashford-cswt")
    html = page(officer_client, "/scorecard/ashford-cswt/")
    assert "<h1>Ashford CSWT scorecard" in html
    codes = set(re.findall(r'href="/indicators/([^/]+)/\?area=ashford-cswt&amp;', html))
    assert codes == set(Indicator.objects.filter(reported_for=team.service).values_list("code", flat=True))
    assert 'Serves <a href="/scorecard/ashford/2024-10/">Ashford</a>' in html
    csv_text = officer_client.get("/scorecard/ashford-cswt/?format=csv").content.decode()
    assert {line.split(",")[0] for line in csv_text.strip().splitlines()[1:]} == {"Ashford CSWT"}


def test_a_team_page_marks_only_figures_that_differ_from_the_published_edition(officer_client):
    """The team's published rows are in its district's published scorecard (October 2024 in the demo,
    unchanged since): none is provisional. September is unpublished: every row is."""
    mark = 'class="provisional-mark"'
    published = page(officer_client, "/scorecard/ashford-cswt/2024-10/")
    assert "Published to members" in published and published.count(mark) == 1  # the note saying what P means
    rows = Indicator.objects.filter(reported_for="cswt").count()
    assert page(officer_client, "/scorecard/ashford-cswt/2024-09/").count(mark) == rows + 1


def test_the_district_page_links_each_team_it_names(officer_client):
    html = page(officer_client, "/scorecard/dover/")
    for team in ReportingUnit.objects.get(slug="dover").serving_teams.all():
        assert f'<a href="/scorecard/{team.slug}/2024-10/">{team.name}</a>' in html


def test_a_teams_page_for_a_month_and_its_month_picker(officer_client):
    html = page(officer_client, "/scorecard/dover-cswt/2024-09/")
    assert "as at September 2024" in html and 'href="/scorecard/dover-cswt/2024-10/' in html


def test_an_unknown_slug_is_still_404(officer_client):
    response = officer_client.get("/scorecard/nowhere/")
    assert response.status_code == 404 and "no scorecard for" in response.content.decode()


def test_a_team_page_runs_a_fixed_number_of_queries(officer_client, django_assert_max_num_queries):
    url = "/scorecard/dover-cswt/"
    before = count_queries(officer_client, url)
    double_indicators()
    assert count_queries(officer_client, url) == before
    add_districts(3)
    assert count_queries(officer_client, url) == before
    with django_assert_max_num_queries(16):
        officer_client.get(url)


def test_every_team_has_a_page(officer_client):
    for team in ReportingUnit.objects.filter(kind=UnitKind.TEAM):
        assert officer_client.get(f"/scorecard/{team.slug}/").status_code == 200, team.slug


def test_the_page_cache_keeps_a_team_page(officer_client):
    url = "/scorecard/dover-cswt/2024-10/"
    cold = count_queries(officer_client, url)
    warm = count_queries(officer_client, url)
    assert warm < cold
