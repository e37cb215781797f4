"""An activity indicator's expected range on the indicator page: a shaded band per year on the chart
("Expected range" in the legend), no target or floor lines, and "within/above/below expected range" in the
tables."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client

from districts.models import ReportingUnit
from indicators.analysis.periods import PeriodKind
from indicators.models import Indicator, Target
from scorecard.pages import charts


@pytest.fixture
def activity(demo: None) -> Indicator:
    """CYPE1 as an activity indicator: 2023-24 expected 9–11, 2024-25 10.25–10.5 (Kent: Apr-24 10.8 above,
    Jun-24 10.2 below, Oct-24 10.3 within)."""
    indicator = Indicator.objects.get(code="CYPE1")
    indicator.activity = True
    indicator.save()
    Target.objects.filter(indicator=indicator, year=2023).update(lower_threshold=Decimal(9), upper_threshold=11)
    Target.objects.filter(indicator=indicator, year=2024).update(
        lower_threshold=Decimal("10.25"), upper_threshold=Decimal("10.5")
    )
    return indicator


@pytest.fixture
def officer_client(demo: None, officer: User, client_for) -> Client:  # type: ignore[no-untyped-def]
    return client_for(officer)


def trend_figure(html: str) -> dict:
    match = re.search(r'<script id="trend-figure" type="application/json">(.*?)</script>', html, re.DOTALL)
    assert match
    return json.loads(match[1])


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_chart_draws_the_expected_range_as_a_shaded_band_per_year_and_no_target_lines(
    activity: Indicator, officer_client: Client
) -> None:
    figure = trend_figure(page(officer_client, "/indicators/CYPE1/?area=kent"))
    names = [trace["name"] for trace in figure["data"]]
    assert "Expected range" in names
    assert not {"Target", "Floor"} & set(names)
    band = next(trace for trace in figure["data"] if trace["name"] == "Expected range")
    assert band["fill"] == "toself" and band["type"] == "scatter"
    assert figure["data"].index(band) == 0  # under the lines
    # One closed shape per stretch of one range, apart at the gaps: the 2024-25 range from April to the axis' end.
    shapes = [list(zip(band["x"][i : i + 5], band["y"][i : i + 5], strict=True)) for i in range(0, len(band["x"]), 6)]
    assert band["x"][5::6] == [None] * len(shapes)
    last = shapes[-1]
    assert last[0] == ("2024-04-01", 10.25) and last[2][1] == 10.5 and last[-1] == last[0]
    axis_end = figure["layout"]["xaxis"]["range"][1]
    assert last[1][0] == axis_end[:10]  # to the axis' end, not the next April
    for shape in shapes:
        lows, highs = {y for _, y in shape[:2]}, {y for _, y in shape[2:4]}
        assert len(lows) == len(highs) == 1 and lows.pop() < highs.pop()


def test_segments_follow_the_years_and_a_profiled_period(activity: Indicator, officer_client: Client) -> None:
    """A year's range spans its year; a range profiled for one period (Oct-24) is a segment of its own."""
    Target.objects.create(
        indicator=activity,
        year=2024,
        period_kind=PeriodKind.MONTH.value,
        period_start=date(2024, 10, 1),
        lower_threshold=Decimal(10),
        upper_threshold=Decimal(12),
    )
    # Kent's 2023-24 values make the chart start in that year.
    from indicators.models import Measurement

    kent = ReportingUnit.objects.authority()
    Measurement.objects.create(
        indicator=activity, unit=kent, period_kind="M", period_start=date(2024, 1, 1), value=Decimal("11.5")
    )
    figure = trend_figure(page(officer_client, "/indicators/CYPE1/?area=kent"))
    band = next(trace for trace in figure["data"] if trace["name"] == "Expected range")
    starts = [(x, y) for x, y in zip(band["x"][0::6], band["y"][0::6], strict=True)]
    assert starts == [("2023-04-01", 9.0), ("2024-04-01", 10.25), ("2024-10-01", 10.0)]
    ends = band["x"][1::6]
    assert ends[:2] == ["2024-04-01", "2024-10-01"]
    page_html = page(officer_client, "/indicators/CYPE1/?area=kent")
    assert "above expected range" in page_html  # Jan-24 11.5 is above 9–11


def test_the_tables_say_within_above_or_below_the_expected_range(activity: Indicator, officer_client: Client) -> None:
    html = page(officer_client, "/indicators/CYPE1/?area=kent")
    values = html[html.index('class="values-table"') :]
    values = values[: values.index("</table>")]
    row = dict(
        re.findall(r'<th scope="row">([^<]+)</th>.*?<span class="rating-word">([^<]+)</span>', values, re.DOTALL)
    )
    assert row["Oct-24"] == "within expected range"
    assert row["Apr-24"] == "above expected range"
    assert row["Jun-24"] == "below expected range"
    assert "10.25–10.5<" in values and "9.0–11.0<" in values  # the range where the target would be, as set
    latest = html[html.index('class="latest-table"') :]
    assert "within expected range" in latest[: latest.index("</table>")]  # Kent's Oct-24
    assert "Expected range" in html[html.index('class="targets-table"') :]


def test_a_non_activity_indicator_has_no_band(demo: None, officer_client: Client) -> None:
    figure = trend_figure(page(officer_client, "/indicators/CYPE1/?area=kent"))
    names = [trace["name"] for trace in figure["data"]]
    assert "Expected range" not in names and "Target" in names


def test_a_one_sided_range_is_a_dotted_step(activity: Indicator, officer_client: Client) -> None:
    Target.objects.filter(indicator=activity, year=2024).update(upper_threshold=None)
    figure = trend_figure(page(officer_client, "/indicators/CYPE1/?area=kent"))
    step = next(trace for trace in figure["data"] if trace["name"] == "Expected at least")
    assert step["y"][:2] == [10.25, 10.25] and step["line"]["dash"] == "dot"
    assert {trace.get("type", "scatter") for trace in figure["data"]} <= charts.TRACE_TYPES
