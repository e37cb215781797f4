"""The indicator page's figures, as plotly JSON, passed to the page.

static/js/charts.js draws them with plotly.js's basic bundle (static/js/plotly-basic.min.js: scatter
and bar traces only, so every figure here uses only those: TRACE_TYPES, checked by the tests).
No CDN, no inline script. Numbers are rounded half up to the indicator's precision, as everywhere else.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

import plotly.graph_objects as go
import plotly.io as pio
from django.utils.safestring import SafeString

from districts.models import ReportingUnit
from indicators.analysis import periods, rating
from indicators.analysis.direction import TREND_WORDS, ComparesWith
from indicators.analysis.numbers import round_half_up
from indicators.analysis.periods import Period, PeriodKind
from indicators.analysis.rag import Polarity, TargetSpec
from scorecard.assembly import DATA_ONLY, NOT_RATED, ScorecardRow, Value

from . import cells
from . import spc as spc_pages
from .queries import IndicatorPageData, year_start

RAG_COLOURS = {"RED": "#b10e1e", "AMBER": "#f0b400", "GREEN": "#00703c", NOT_RATED: "#b1b4b6", DATA_ONLY: "#b1b4b6"}
UNIT_COLOUR = "#1d4f91"
# Comparison lines: distinct, and none red or green (those are the floor and the target).
COMPARISON_COLOURS = [
    "#6a3d9a",
    "#b15928",
    "#1f78b4",
    "#505a5f",
    "#e7298a",
    "#a6761d",
    "#17becf",
    "#7570b3",
    "#8c564b",
    "#bcbd22",
    "#d95f02",
    "#0b0c0c",
    "#9467bd",
    "#2c7fb8",
]
FONT = {"family": "Arial, Helvetica, sans-serif", "size": 13, "color": "#1b1b1b"}
SYNTHETIC_NAME = "Synthetic history (generated, not real figures)"
SYNTHETIC_COLOUR = "#6f777b"
Trace = dict[str, Any]  # one plotly trace, as plotly JSON
# The trace types the served bundle draws (plotly.js-basic: scatter, bar, pie); the figures use no others.
TRACE_TYPES = frozenset({"scatter", "bar", "pie"})


# The x-axis reaches half a month either side of the first and last periods (the edition month):
# markers are not cut in half, and no empty months follow the data.
AXIS_PAD = timedelta(days=15)
PLOT_HEIGHT = 340
LEGEND_ROW_HEIGHT = 22
# Room on the right for the labels of the reference lines (target, floor, England, benchmark):
# beside the plot, never on the lines (charts.js drops them on narrow screens: the legend names them).
EDGE_LABEL_MARGIN = 150
EDGE_LABEL_GAP_PX = 18


def line_chart_layout(legend_rows: int, right_margin: int = 20) -> dict[str, Any]:
    """Height and a bottom margin that hold the legend under the plot (plotly does not grow for it)."""
    legend_height = LEGEND_ROW_HEIGHT * legend_rows
    return {
        "font": FONT,
        "height": 50 + PLOT_HEIGHT + 70 + legend_height,
        "margin": {"l": 60, "r": right_margin, "t": 50, "b": 70 + legend_height},
        "legend": {"orientation": "h", "x": 0, "y": -70 / PLOT_HEIGHT, "yanchor": "top"},
    }


def x_axis(first: date, last: date) -> dict[str, Any]:
    """A date axis from the first period to the last (the edition month), not plotly's padded guess."""
    return {
        "type": "date",
        "title": {"text": "Period"},
        "range": [(first - AXIS_PAD).isoformat(), (last + AXIS_PAD).isoformat()],
    }


def _float(value: Decimal | None, decimals: int) -> float | None:
    return float(round_half_up(value, decimals)) if value is not None else None


def trend_points(series: dict[Period, Value], data: IndicatorPageData) -> list[Value]:
    """The unit's values of the indicator's own period kind (not outturns), oldest first."""
    kind = periods.KIND_OF_FREQUENCY[data.indicator.frequency_enum]
    return [series[p] for p in sorted(series) if p.kind is kind]


Span = tuple[date, date]  # from a period's start to the next level's start (or the axis' end)
T = TypeVar("T")


def spans(
    data: IndicatorPageData, first_year: int, axis_end: date, level: Callable[[Period], T]
) -> list[tuple[Span, T]]:
    """The indicator's periods from ``first_year`` to the edition's, in runs with the same ``level(period)``: a
    year where targets (or ranges) are set by year, a period where one is profiled for it."""
    kind = periods.KIND_OF_FREQUENCY[data.indicator.frequency_enum]
    period = Period(year_start(first_year, data.indicator), kind)
    runs: list[tuple[Span, T]] = []
    while period.start <= data.as_at.start:
        after = periods.shift(period, 1)
        value, end = level(period), min(after.start, axis_end)
        if runs and runs[-1][0][1] == period.start and runs[-1][1] == value:
            runs[-1] = ((runs[-1][0][0], end), value)  # the same level goes on
        else:
            runs.append(((period.start, end), value))
        period = after
    return runs


def _step_trace(
    name: str, levels: list[tuple[Span, Decimal | None]], data: IndicatorPageData, dash: str, colour: str
) -> Trace:
    """A level per span (a year, or a profiled period), with gaps where there is none."""
    x: list[str | None] = []
    y: list[float | None] = []
    for (start, end), level in levels:
        if level is None:
            continue
        value = _float(level, data.indicator.decimals)
        x += [start.isoformat(), end.isoformat(), None]
        y += [value, value, None]
    return dict(
        type="scatter",
        x=x,
        y=y,
        name=name,
        mode="lines",
        line={"dash": dash, "color": colour, "width": 2},
        hovertemplate=f"{name}: %{{y}}<extra></extra>",
        connectgaps=False,
    )


def target_traces(data: IndicatorPageData, first_year: int, axis_end: date) -> list[Trace]:
    """Target and floor (or the T polarity bands) for each year, or each period a target is profiled for, as
    steps; none for an activity indicator (its expected range is drawn instead: expected_range_traces)."""
    if data.indicator.activity:
        return []
    specs: list[tuple[Span, TargetSpec | None]] = spans(
        data,
        first_year,
        axis_end,
        lambda period: data.data.target_for(data.indicator, period.year_start_year, data.focus_unit, period),
    )
    if not any(spec for _, spec in specs):
        return []
    traces = [_step_trace("Target", [(y, s.target if s else None) for y, s in specs], data, "dash", "#00703c")]
    if data.indicator.polarity == Polarity.TARGET.value:
        bands = [(y, s.green_band() if s else None) for y, s in specs]
        traces.append(
            _step_trace("Green band from", [(y, b[0] if b else None) for y, b in bands], data, "dot", "#00703c")
        )
        traces.append(
            _step_trace("Green band to", [(y, b[1] if b else None) for y, b in bands], data, "dot", "#00703c")
        )
        floor_bands = [(y, s.floor_band() if s else None) for y, s in specs]
        if any(b for _, b in floor_bands):
            traces.append(
                _step_trace(
                    "Floor band from",
                    [(y, b[0] if b else None) for y, b in floor_bands],
                    data,
                    "dot",
                    "#b10e1e",
                )
            )
            traces.append(
                _step_trace(
                    "Floor band to",
                    [(y, b[1] if b else None) for y, b in floor_bands],
                    data,
                    "dot",
                    "#b10e1e",
                )
            )
    elif any(s and s.floor is not None for _, s in specs):
        traces.append(
            _step_trace("Floor", [(y, s.floor if s else None) for y, s in specs], data, "longdash", "#b10e1e")
        )
    return traces


EXPECTED_NAME = "Expected range"
EXPECTED_COLOUR = "#1d70b8"
EXPECTED_FILL = "rgba(29, 112, 184, 0.14)"


def expected_segments(
    data: IndicatorPageData, first_year: int, axis_end: date
) -> list[tuple[date, date, Decimal | None, Decimal | None]]:
    """An activity indicator's expected range over the charted years: (from, to, lower, upper), one segment per
    run of periods with the same range (a year, where the range is set by year; a period, where profiled)."""
    indicator = data.indicator
    if not indicator.activity:
        return []
    runs = spans(
        data,
        first_year,
        axis_end,
        lambda period: data.data.expected_range_for(indicator, period, data.focus_unit) or (None, None),
    )
    return [(start, end, low, high) for (start, end), (low, high) in runs if low is not None or high is not None]


def expected_range_traces(data: IndicatorPageData, first_year: int, axis_end: date) -> list[Trace]:
    """The expected range as a shaded band for each year (each segment a closed shape of one trace, so the legend
    names it once); a range open on one side as a dotted step ("expected at least" / "at most")."""
    band_x: list[str | None] = []
    band_y: list[float | None] = []
    one_sided: dict[str, tuple[list[str | None], list[float | None]]] = {}
    for start, end, low, high in expected_segments(data, first_year, axis_end):
        if low is not None and high is not None:
            lower, upper = float(low), float(high)  # as set, not rounded: a value is judged against them so
            band_x += [start.isoformat(), end.isoformat(), end.isoformat(), start.isoformat(), start.isoformat(), None]
            band_y += [lower, lower, upper, upper, lower, None]
        else:
            name, level = ("Expected at least", low) if low is not None else ("Expected at most", high)
            x, y = one_sided.setdefault(name, ([], []))
            value = float(level) if level is not None else None
            x += [start.isoformat(), end.isoformat(), None]
            y += [value, value, None]
    traces: list[Trace] = []
    if band_x:
        traces.append(
            dict(
                type="scatter",
                x=band_x,
                y=band_y,
                name=EXPECTED_NAME,
                mode="lines",
                fill="toself",  # each segment between the gaps is filled on its own
                fillcolor=EXPECTED_FILL,
                line={"color": EXPECTED_COLOUR, "width": 1, "dash": "dot"},
                connectgaps=False,
                meta={"role": "expected-range"},
                hoveron="points",
                hovertemplate=f"{EXPECTED_NAME}: %{{y}}<extra></extra>",
            )
        )
    for name, (x, y) in one_sided.items():
        traces.append(
            dict(
                type="scatter",
                x=x,
                y=y,
                name=name,
                mode="lines",
                line={"color": EXPECTED_COLOUR, "width": 2, "dash": "dot"},
                connectgaps=False,
                meta={"role": "expected-range"},
                hovertemplate=f"{name}: %{{y}}<extra></extra>",
            )
        )
    return traces


def _symbols(points: list[Value]) -> list[str]:
    """Open markers for synthetic values, filled for real ones."""
    return ["circle-open" if p.synthetic else "circle" for p in points]


def _line(name: str, points: list[Value], decimals: int, marker: dict[str, Any] | None = None, **kwargs: Any) -> Trace:
    return dict(
        type="scatter",
        x=[p.period.start.isoformat() for p in points],
        y=[_float(p.value, decimals) for p in points],
        text=[f"{p.period.label} (synthetic)" if p.synthetic else p.period.label for p in points],
        name=name,
        mode="lines+markers",
        hovertemplate=f"{name}, %{{text}}: %{{y}}<extra></extra>",
        marker={**(marker or {}), "symbol": _symbols(points)},
        **kwargs,
    )


def synthetic_trace(points: list[Value], decimals: int) -> Trace | None:
    """The synthetic points again, as their own legend entry: open grey rings, so they read apart."""
    synthetic = [p for p in points if p.synthetic and p.value is not None]
    if not synthetic:
        return None
    return dict(
        type="scatter",
        x=[p.period.start.isoformat() for p in synthetic],
        y=[_float(p.value, decimals) for p in synthetic],
        text=[p.period.label for p in synthetic],
        name=SYNTHETIC_NAME,
        mode="markers",
        marker={"symbol": "circle-open", "size": 11, "color": SYNTHETIC_COLOUR, "line": {"width": 2}},
        hovertemplate="Synthetic, %{text}: %{y}<extra></extra>",
    )


def trend_figure(data: IndicatorPageData) -> dict[str, Any]:
    """The charted units' lines (the unit, or the teams serving a district), others to switch on, and the
    target and floor steps, the benchmark and England, each named in the legend and beside the plot."""
    indicator, decimals = data.indicator, data.indicator.decimals
    traces: list[Trace] = []
    charted_points: list[Value] = []
    for number, shown in enumerate(data.charted):
        own = trend_points(data.series(shown), data)
        charted_points += own
        colour = UNIT_COLOUR if number == 0 else COMPARISON_COLOURS[-number % len(COMPARISON_COLOURS)]
        traces.append(_line(shown.name, own, decimals, line={"color": colour, "width": 3}, marker={"size": 7}))
        if synthetic := synthetic_trace(own, decimals):
            traces.append(synthetic)
    others: list[ReportingUnit] = [
        u for u in ([data.authority] if data.authority else []) + data.peers if u not in data.charted
    ]
    all_points = list(charted_points)
    for number, other in enumerate(others):
        points = trend_points(data.series(other), data)
        if not any(p.value is not None for p in points):
            continue  # nothing to compare with: no line, no checkbox
        all_points += points
        # Off until switched on (legend or the checkboxes charts.js adds): comparison, not clutter.
        traces.append(
            _line(
                other.name,
                points,
                decimals,
                visible="legendonly",
                meta={"role": "comparison"},
                line={"width": 1.5, "color": COMPARISON_COLOURS[number % len(COMPARISON_COLOURS)]},
            )
        )
    first = min([p.period.start for p in all_points] + [data.as_at.start])
    last = data.as_at.start  # the edition month: the axis ends there
    axis_end = last + AXIS_PAD
    first_year = Period(first, periods.KIND_OF_FREQUENCY[indicator.frequency_enum]).year_start_year
    references = target_traces(data, first_year, axis_end)
    # Drawn first, under the lines.
    traces = expected_range_traces(data, first_year, axis_end) + traces
    # England and the benchmark: dotted and dash-dot, black and grey, unlike the floor's red long
    # dashes and the target's green dashes, so a line lying on another still reads apart.
    for benchmark, dash, colour in (
        (data.rows[0].benchmark if data.rows else None, "dashdot", "#6f777b"),
        (data.rows[0].england if data.rows else None, "dot", "#0b0c0c"),
    ):
        if benchmark is not None:
            value = _float(benchmark.value, decimals)
            name = "<br>".join(textwrap.wrap(f"{benchmark.get_comparator_display()}: {benchmark.label}", 40))
            references.append(
                dict(
                    type="scatter",
                    x=[(first - AXIS_PAD).isoformat(), axis_end.isoformat()],
                    y=[value, value],
                    mode="lines",
                    name=name,
                    meta={"label": benchmark.get_comparator_display()},
                    line={"dash": dash, "color": colour, "width": 2},
                    hovertemplate=f"{name}: %{{y}}<extra></extra>",
                )
            )
    traces += references
    names = ", ".join(unit.name for unit in data.charted)
    title = f"{indicator.printed_code or indicator.code}: {names}"
    shown_values = [float(round_half_up(p.value, decimals)) for p in charted_points if p.value is not None]
    return line_chart(
        traces, title, indicator.unit, x_axis(first, last), edge_labels(references, shown_values, axis_end, decimals)
    )


def edge_labels(references: list[Trace], values: list[float], axis_end: date, decimals: int) -> list[dict[str, Any]]:
    """A label beside the plot's right edge for each reference line that reaches it ("Floor 50"), at its
    level, moved apart where two levels are close so no label lies on another."""
    ends: list[tuple[float, str, str]] = []
    for trace in references:
        levels = [y for y in trace["y"] if y is not None]
        reaches = [x for x in trace["x"] if x is not None][-1:] == [axis_end.isoformat()]
        if levels and reaches:  # a year without a target leaves no level at the edge
            word = trace.get("meta", {}).get("label", trace["name"])
            ends.append((levels[-1], f"{word} {levels[-1]:,.{decimals}f}", trace["line"]["color"]))
    if not ends:
        return []
    everything = values + [level for level, _, _ in ends]
    span = (max(everything) - min(everything)) or 1.0
    gap = EDGE_LABEL_GAP_PX * span * 1.1 / PLOT_HEIGHT  # the gap in the y axis' units (plotly pads 5 % a side)
    labels: list[dict[str, Any]] = []
    placed: list[float] = []
    for level, text, colour in sorted(ends):
        at = max(level, placed[-1] + gap) if placed else level
        placed.append(at)
        labels.append(
            {
                "xref": "paper",
                "x": 1,
                "xanchor": "left",
                "xshift": 6,
                "yref": "y",
                "y": at,
                "yanchor": "middle",
                "showarrow": False,
                "align": "left",
                "text": text,
                "font": {"color": colour, "size": 12},
            }
        )
    return labels


def line_chart(
    traces: list[Trace], title: str, y_title: str, xaxis: dict[str, Any], labels: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A trend or SPC figure: its traces over periods, the legend in rows below, as JSON for charts.js.

    Built as plain plotly JSON, not graph objects: a trend has a line per district (150 in a region),
    and validating each trace cost most of the page. The tests validate every figure instead.
    """
    return as_json(
        {
            "data": traces,
            "layout": {
                "template": default_template(),
                "title": {"text": title},
                # Three legend entries a row, and a row more for each line a long name is broken over.
                **line_chart_layout(
                    legend_rows=-(-len(traces) // 3) + sum(t["name"].count("<br>") for t in traces),
                    right_margin=EDGE_LABEL_MARGIN if labels else 20,
                ),
                "xaxis": xaxis,
                "annotations": labels or [],
                "yaxis": {"title": {"text": y_title}, "zeroline": False},
                "plot_bgcolor": "#ffffff",
                "paper_bgcolor": "#ffffff",
            },
        }
    )


@cache
def default_template() -> dict[str, Any]:
    """plotly's default template, as go.Figure would put it in the layout (the same look)."""
    return pio.templates[pio.templates.default].to_plotly_json()


def _rounded(numbers: tuple[float | None, ...], decimals: int) -> list[float | None]:
    # Lines a little finer than the values, so a point just inside a limit does not look on it.
    return [round(n, decimals + 2) if n is not None else None for n in numbers]


def spc_figure(data: IndicatorPageData, spc: spc_pages.SeriesSpc) -> dict[str, Any] | None:
    """The XmR chart: the values, the centre line, the process limits, special causes and the target.

    Special-cause points carry a marker symbol of their own (triangle up for improvement, down for
    concern, diamond for neither) as well as a colour, and their rule on hover; the values table
    names the rule in words.
    """
    result = spc.result
    if result is None:
        return None
    indicator, decimals = data.indicator, data.indicator.decimals
    points = list(spc.points)
    x = [p.period.start.isoformat() for p in points]
    labels = [f"{p.period.label} (synthetic)" if p.synthetic else p.period.label for p in points]
    unit = data.focus_unit
    traces: list[Trace] = [
        _line(
            unit.name,
            points,
            decimals,
            line={"color": UNIT_COLOUR, "width": 2},
            marker={"size": 7, "color": UNIT_COLOUR},
        )
    ]
    if synthetic := synthetic_trace(points, decimals):
        traces.append(synthetic)
    for name, numbers, dash, width in (
        ("Mean (centre line)", result.means, "solid", 2),
        ("Upper process limit", result.upper_limits, "dash", 1.5),
        ("Lower process limit", result.lower_limits, "dash", 1.5),
    ):
        traces.append(
            dict(
                type="scatter",
                x=x,
                y=_rounded(numbers, decimals),
                name=name,
                mode="lines",
                line={"color": "#505a5f", "dash": dash, "width": width},
                text=labels,
                meta={"role": "spc-line"},
                hovertemplate=f"{name}: %{{y}}<extra></extra>",
            )
        )
    for point_type, (name, symbol, colour) in spc_pages.POINT_STYLES.items():
        flagged = [i for i, kind in enumerate(result.point_types) if kind == point_type]
        if not flagged:
            continue
        traces.append(
            dict(
                type="scatter",
                x=[x[i] for i in flagged],
                y=[_float(points[i].value, decimals) for i in flagged],
                text=[labels[i] for i in flagged],
                customdata=[result.special_cause_types[i] for i in flagged],
                name=name,
                mode="markers",
                meta={"role": "special-cause", "point_type": point_type},
                marker={"symbol": symbol, "size": 14, "color": colour, "line": {"color": "#0b0c0c", "width": 1}},
                hovertemplate=f"{name}, %{{text}}: %{{y}} (%{{customdata}})<extra></extra>",
            )
        )
    target = spc_pages.target_of(data.focus_row.target, indicator.polarity)
    if target is not None:
        edge = [x[0], x[-1]]
        bounds = target if isinstance(target, tuple) else (target,)
        names = ("Green band from", "Green band to") if isinstance(target, tuple) else ("Target",)
        for name, bound in zip(names, bounds, strict=True):
            level = _float(Decimal(bound), decimals)
            traces.append(
                dict(
                    type="scatter",
                    x=edge,
                    y=[level, level],
                    name=f"{name} ({data.focus_row.period.label})" if data.focus_row.period else name,
                    mode="lines",
                    line={"color": "#00703c", "dash": "dot", "width": 2},
                    hovertemplate=f"{name}: %{{y}}<extra></extra>",
                )
            )
    return line_chart(
        traces,
        f"SPC: {indicator.printed_code or indicator.code}, {unit.name}",
        indicator.unit,
        x_axis(points[0].period.start, max(points[-1].period.start, data.as_at.start)),
    )


BAR_HEIGHT = 40  # a bar and its two-line label (name; value and RAG)


def bar_figure(data: IndicatorPageData) -> dict[str, Any] | None:
    """Every district's (or team's) latest value as a bar coloured by RAG, the authority's value as a line.

    Bars run across, one per unit, labelled with their value and RAG word at the left (outside the plot, so
    no word lies on a bar or the line, and a long name needs no slant); the units the page shows are bold.
    """
    rows = [row for row in data.rows if row.unit in data.peers and row.value is not None]
    if not rows:
        return None
    decimals = data.indicator.decimals
    buckets = [row.rag_bucket for row in rows]
    # An activity indicator's bars say where they stand against the expected range instead of "data only".
    words = [rating.EXPECTED_WORDS[row.expected] if row.expected else row.rag_bucket for row in rows]
    values = [_float(row.value, decimals) for row in rows]
    names = [row.unit.name for row in rows]
    # Each unit's name (bold for the units the page is about), then its value and RAG word.
    tick_text = [
        f"{f'<b>{row.unit.name}</b>' if row.unit in data.charted else row.unit.name}<br>"
        f"{round_half_up(row.value, decimals) if row.value is not None else ''} {word}"
        for row, word in zip(rows, words, strict=True)
    ]
    traces: list[Trace] = [
        dict(
            type="bar",
            orientation="h",
            y=names,
            x=values,
            name="Latest value",
            showlegend=False,
            marker={"color": [RAG_COLOURS[b] for b in buckets], "line": {"color": "#0b0c0c", "width": 1}},
            customdata=[[row.period.label if row.period else "", word] for row, word in zip(rows, words, strict=True)],
            hovertemplate="%{y}, %{customdata[0]}: %{x} (%{customdata[1]})<extra></extra>",
        )
    ]
    authority_row = next((row for row in data.rows if data.authority and row.unit == data.authority), None)
    if authority_row is not None and authority_row.value is not None:
        level = _float(authority_row.value, decimals)
        name = f"{authority_row.unit.name}: {round_half_up(authority_row.value, decimals)}"
        # A line through the bars, named in the legend above the plot (a label on it would cross bars).
        traces.append(
            dict(
                type="scatter",
                mode="lines",
                x=[level] * len(names),
                y=names,
                name=name,
                line={"dash": "dash", "color": "#0b0c0c", "width": 2.5},
                showlegend=True,
                hovertemplate=f"{name}<extra></extra>",
            )
        )
    by = "district" if data.indicator.reported_for == "district" else "team"
    return as_json(
        {
            "data": traces,
            "layout": {
                "template": default_template(),
                "title": {"text": f"Latest value by {by}"},
                "font": FONT,
                "height": 110 + BAR_HEIGHT * len(rows),
                "margin": {"l": 20, "r": 20, "t": 80, "b": 50},
                "showlegend": len(traces) > 1,
                "legend": {"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"},
                "yaxis": {
                    "type": "category",
                    "autorange": "reversed",
                    "tickmode": "array",
                    "tickvals": names,
                    "ticktext": tick_text,
                    "automargin": True,
                    "ticklabelstandoff": 6,
                },
                "xaxis": {"title": {"text": data.indicator.unit}, "rangemode": "tozero"},
                "bargap": 0.25,
                "plot_bgcolor": "#ffffff",
                "paper_bgcolor": "#ffffff",
            },
        }
    )


def as_json(figure: go.Figure | dict[str, Any]) -> dict[str, Any]:
    """Plain JSON data for json_script (plotly's own encoder handles dates and arrays)."""
    return json.loads(pio.to_json(figure, validate=False))


def value_lines(
    data: IndicatorPageData, unit: ReportingUnit, spc: spc_pages.SeriesSpc | None = None
) -> list[dict[str, Any]]:
    """A charted unit's values as a table under the chart (a chart is never the only way to read a number).

    The note says which values are synthetic and, with ``spc`` shown, the SPC rule a point breaks.
    """
    indicator = data.indicator
    rules: dict[Period, str] = {}
    if spc is not None and spc.result is not None and spc.shown:
        rules = {
            point.period: f"{spc_pages.POINT_STYLES[kind][0]}: {rule}"
            for point, kind, rule in zip(
                spc.points, spc.result.point_types, spc.result.special_cause_types, strict=True
            )
            if kind in spc_pages.POINT_STYLES
        }
    lines = []
    series = data.series(unit)
    for period, value in sorted(series.items(), reverse=True):
        notes = (["synthetic (generated, not a real figure)"] if value.synthetic else []) + (
            [rules[period]] if period in rules else []
        )
        lines.append(
            {
                "note": "; ".join(notes),
                "synthetic": value.synthetic,
                "period": f"{period.label} outturn" if period.kind is periods.PeriodKind.OUTTURN else period.label,
                "value": cells.value_cell(value, indicator.decimals),
                "numerator": cells.plain_number(value.numerator),
                "denominator": cells.plain_number(value.denominator),
                **judged_against(data, unit, period, value, series),
            }
        )
    return lines


def judged_against(
    data: IndicatorPageData, unit: ReportingUnit, period: Period, value: Value, series: dict[Period, Value]
) -> dict[str, SafeString]:
    """A value's target and rating under the indicator's rule (a period's profiled target first); an activity
    indicator's expected range and whether the value is within it, above or below."""
    indicator, decimals = data.indicator, data.indicator.decimals
    own_period = None if period.kind is periods.PeriodKind.OUTTURN else period
    if indicator.activity:
        expected_range = data.data.expected_range_for(indicator, period, unit)
        expected = rating.expected_range(value.value, *expected_range, decimals) if expected_range else None
        return {
            "target": cells.range_cell(expected_range, decimals),
            "rag": cells.rating_cell(None, True, expected, value.value is not None),
        }
    spec = data.data.target_for(indicator, period.year_start_year, unit, own_period)
    year_ago = series.get(periods.same_period_last_year(period)) if own_period else None
    rule = indicator.rule
    rated = rating.rate(
        value.value,
        spec,
        indicator.polarity,
        decimals,
        rule,
        same_period_last_year=year_ago.value if year_ago else None,
    )
    return {
        "target": cells.target_cell(spec, indicator.polarity, decimals),
        "rag": cells.rating_cell(rated, rule.rule is rating.RatingRule.NONE, None, value.value is not None),
    }


def latest_lines(data: IndicatorPageData) -> list[dict[str, Any]]:
    """The bar chart's numbers as a table: each unit's latest row (the authority first)."""
    decimals = data.indicator.decimals
    return [
        {
            "unit": row.unit,
            "period": row.period.label if row.period else "",
            "value": cells.value_cell(row.latest, decimals),
            "dot": cells.dot_cell(row.dot, row.compares_with),
            "target": cells.range_cell(row.expected_range, decimals)
            if data.indicator.activity
            else cells.target_cell(row.target, data.indicator.polarity, decimals),
            "rag": cells.rating_cell(row.rag, row.data_only, row.expected, row.has_value),
        }
        for row in data.rows
    ]


METHOD_WORDS = {
    ComparesWith.PREVIOUS_PERIOD: "against the previous period",
    ComparesWith.SAME_PERIOD_LAST_YEAR: "against the same period a year earlier",
    ComparesWith.BOTH: "against the previous period (short arrow) and the same period a year earlier (long arrow)",
    ComparesWith.TREND: "by the trend: a straight line fitted over the periods its trend shows (at least six), "
    "improving or worsening where the slope is clear (p < 0.05)",
    ComparesWith.NONE: "not judged (no arrow)",
}
KIND_WORDS = {PeriodKind.MONTH: "months", PeriodKind.QUARTER: "quarters", PeriodKind.TERM: "terms"}


def direction_words(row: ScorecardRow) -> str:
    """The row's direction of travel in words, as its method judged it."""
    if row.dot is None:
        return "no direction"
    if row.compares_with == ComparesWith.TREND.value:
        return TREND_WORDS[row.dot.value]
    if row.dot_long is not None:
        return f"{row.dot.value} on the previous period, {row.dot_long.value} on a year earlier"
    return row.dot.value


def judged(data: IndicatorPageData) -> dict[str, Any]:
    """How the page judges the indicator: the scorecard (its direction method and trend length) and the trend
    that scorecard shows for the unit the page is about, with its direction and rating."""
    row = data.focus_row
    kind = row.period.kind if row.period else periods.KIND_OF_FREQUENCY[data.indicator.frequency_enum]
    decimals = data.indicator.decimals
    return {
        "scorecard": data.definition,
        "holding": data.scorecards.holding,
        "others": [other for other in data.scorecards.holding if other != data.definition],
        "method": METHOD_WORDS[data.data.compares_with(data.indicator)],
        "length": data.data.trend_length(kind),
        "periods": KIND_WORDS.get(kind, "years"),
        "direction": direction_words(row),
        "rating": cells.rating_cell(row.rag, row.data_only, row.expected, row.has_value),
        "trend": [(value.period.label, cells.value_cell(value, decimals)) for value in row.trend],
    }


def target_lines(data: IndicatorPageData) -> list[dict[str, Any]]:
    def band(low: Decimal | None, high: Decimal | None) -> str:
        return f"{cells.plain_number(low)}–{cells.plain_number(high)}" if low is not None or high is not None else ""

    return [
        {
            "year": target.period_label,  # a target profiled for one period names it (Q1 22-23)
            "applies_to": f"{target.unit.name} only" if target.unit else target.get_applies_to_display(),
            "target": cells.plain_number(target.target),
            "floor": cells.plain_number(target.floor),
            "band": band(target.band_low, target.band_high),
            "floor_band": band(target.floor_band_low, target.floor_band_high),
            "expected": band(target.lower_threshold, target.upper_threshold),
        }
        for target in data.targets
    ]


def revision_lines(data: IndicatorPageData) -> list[dict[str, Any]]:
    def shown(value: Decimal | None, status: str) -> str:
        return cells.plain_number(value) if value is not None else cells.status_word(status)

    return [
        {
            "unit": revision.measurement.unit.name if len(data.charted) > 1 else "",
            "period": revision.measurement.period.label,
            "old": shown(revision.old_value, revision.old_status),
            "new": shown(revision.new_value, revision.new_status),
            "when": revision.changed_at,
            "who": revision.changed_by.get_username() if revision.changed_by else "",
            "why": revision.reason,
        }
        for revision in data.revisions
    ]
