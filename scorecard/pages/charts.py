"""The indicator page's figures, as plotly JSON (the bar chart through plotly.graph_objects), passed to the page.

static/js/charts.js draws them (plotly.js is served from static/: no CDN, no inline script).
Numbers are rounded half up to the indicator's precision, as everywhere else.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from districts.models import ReportingUnit
from indicators.analysis import periods
from indicators.analysis.numbers import round_half_up
from indicators.analysis.periods import Period
from indicators.analysis.rag import Polarity, TargetSpec, rag
from scorecard.assembly import NOT_RATED, Value

from . import cells
from . import spc as spc_pages
from .queries import IndicatorPageData, year_start

RAG_COLOURS = {"RED": "#b10e1e", "AMBER": "#f0b400", "GREEN": "#00703c", NOT_RATED: "#b1b4b6"}
UNIT_COLOUR = "#1d4f91"
# Comparison lines: distinct, and none red or green (those are the floor and the target).
COMPARISON_COLOURS = ["#6a3d9a", "#b15928", "#1f78b4", "#505a5f", "#e7298a", "#a6761d", "#17becf", "#7570b3",
                      "#8c564b", "#bcbd22", "#d95f02", "#0b0c0c", "#9467bd", "#2c7fb8"]
FONT = {"family": "Arial, Helvetica, sans-serif", "size": 13, "color": "#1b1b1b"}
SYNTHETIC_NAME = "Synthetic history (generated, not real figures)"
SYNTHETIC_COLOUR = "#6f777b"
Trace = dict[str, Any]  # one plotly trace, as plotly JSON


def line_chart_layout(legend_rows: int) -> dict[str, Any]:
    """Height and a bottom margin that hold the legend under the plot (plotly does not grow for it)."""
    legend_height = 22 * legend_rows
    plot_height = 340
    return {
        "font": FONT, "height": 50 + plot_height + 70 + legend_height,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 70 + legend_height},
        "xaxis": {"type": "date", "title": {"text": "Period"}},
        "legend": {"orientation": "h", "x": 0, "y": -70 / plot_height, "yanchor": "top"},
    }


def _float(value: Decimal | None, decimals: int) -> float | None:
    return float(round_half_up(value, decimals)) if value is not None else None


def trend_points(series: dict[Period, Value], data: IndicatorPageData) -> list[Value]:
    """The unit's values of the indicator's own period kind (not outturns), oldest first."""
    kind = periods.KIND_OF_FREQUENCY[data.indicator.frequency_enum]
    return [series[p] for p in sorted(series) if p.kind is kind]


def _step_trace(name: str, years: list[tuple[int, Decimal | None]], data: IndicatorPageData,
                dash: str, colour: str) -> Trace:
    """A level per year, drawn from the year's start to the next year's start, with gaps between."""
    x: list[str | None] = []
    y: list[float | None] = []
    for year, level in years:
        if level is None:
            continue
        value = _float(level, data.indicator.decimals)
        x += [year_start(year, data.indicator).isoformat(), year_start(year + 1, data.indicator).isoformat(), None]
        y += [value, value, None]
    return dict(type="scatter", x=x, y=y, name=name, mode="lines", line={"dash": dash, "color": colour, "width": 2},
                hovertemplate=f"{name}: %{{y}}<extra></extra>", connectgaps=False)


def target_traces(data: IndicatorPageData, first_year: int, last_year: int) -> list[Trace]:
    """Target and floor (or the T polarity bands) for each year, as steps."""
    specs: list[tuple[int, TargetSpec | None]] = [
        (year, data.data.target_for(data.indicator, year, data.unit)) for year in range(first_year, last_year + 1)
    ]
    if not any(spec for _, spec in specs):
        return []
    traces = [_step_trace("Target", [(y, s.target if s else None) for y, s in specs], data, "dash", "#00703c")]
    if data.indicator.polarity == Polarity.TARGET.value:
        bands = [(y, s.green_band() if s else None) for y, s in specs]
        traces.append(_step_trace("Green band from", [(y, b[0] if b else None) for y, b in bands], data, "dot",
                                  "#00703c"))
        traces.append(_step_trace("Green band to", [(y, b[1] if b else None) for y, b in bands], data, "dot",
                                  "#00703c"))
        floor_bands = [(y, s.floor_band() if s else None) for y, s in specs]
        if any(b for _, b in floor_bands):
            traces.append(_step_trace("Floor band from", [(y, b[0] if b else None) for y, b in floor_bands], data,
                                      "dot", "#b10e1e"))
            traces.append(_step_trace("Floor band to", [(y, b[1] if b else None) for y, b in floor_bands], data,
                                      "dot", "#b10e1e"))
    elif any(s and s.floor is not None for _, s in specs):
        traces.append(_step_trace("Floor", [(y, s.floor if s else None) for y, s in specs], data, "dash", "#b10e1e"))
    return traces


def _symbols(points: list[Value]) -> list[str]:
    """Open markers for synthetic values, filled for real ones."""
    return ["circle-open" if p.synthetic else "circle" for p in points]


def _line(name: str, points: list[Value], decimals: int, marker: dict[str, Any] | None = None,
          **kwargs: Any) -> Trace:
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
        x=[p.period.start.isoformat() for p in synthetic], y=[_float(p.value, decimals) for p in synthetic],
        text=[p.period.label for p in synthetic], name=SYNTHETIC_NAME, mode="markers",
        marker={"symbol": "circle-open", "size": 11, "color": SYNTHETIC_COLOUR, "line": {"width": 2}},
        hovertemplate="Synthetic, %{text}: %{y}<extra></extra>",
    )


def trend_figure(data: IndicatorPageData) -> dict[str, Any]:
    indicator, decimals = data.indicator, data.indicator.decimals
    own = trend_points(data.series(data.unit), data)
    traces: list[Trace] = [_line(data.unit.name, own, decimals, line={"color": UNIT_COLOUR, "width": 3},
                                      marker={"size": 7})]
    if synthetic := synthetic_trace(own, decimals):
        traces.append(synthetic)
    others: list[ReportingUnit] = [u for u in ([data.authority] if data.authority else []) + data.peers
                                   if u != data.unit]
    all_points = list(own)
    for number, other in enumerate(others):
        points = trend_points(data.series(other), data)
        all_points += points
        # Off until switched on (legend or the checkboxes charts.js adds): comparison, not clutter.
        traces.append(_line(other.name, points, decimals, visible="legendonly", meta={"role": "comparison"},
                            line={"width": 1.5, "color": COMPARISON_COLOURS[number % len(COMPARISON_COLOURS)]}))
    starts = [p.period.start for p in all_points] or [data.as_at.start]
    first_year = Period(min(starts), periods.KIND_OF_FREQUENCY[indicator.frequency_enum]).year_start_year
    traces += target_traces(data, first_year, data.as_at.year_start_year)
    x_range = [min(starts).isoformat(), max(max(starts), data.as_at.start).isoformat()]
    for benchmark, dash in ((data.rows[0].benchmark if data.rows else None, "dashdot"),
                            (data.rows[0].england if data.rows else None, "longdash")):
        if benchmark is not None:
            value = _float(benchmark.value, decimals)
            name = f"{benchmark.get_comparator_display()}: {benchmark.label}"
            traces.append(dict(type="scatter", x=x_range, y=[value, value], mode="lines+markers", name=name,
                               line={"dash": dash, "color": "#505a5f", "width": 1.5},
                               marker={"symbol": "diamond", "size": 8},
                               hovertemplate=f"{name}: %{{y}}<extra></extra>"))
    return line_chart(traces, f"{indicator.printed_code or indicator.code}: {data.unit.name}", indicator.unit)


def line_chart(traces: list[Trace], title: str, y_title: str) -> dict[str, Any]:
    """A trend or SPC figure: its traces over periods, the legend in rows below, as JSON for charts.js.

    Built as plain plotly JSON, not graph objects: a trend has a line per district (150 in a region),
    and validating each trace cost most of the page. The tests validate every figure instead.
    """
    return as_json({"data": traces, "layout": {
        "template": default_template(),
        "title": {"text": title},
        **line_chart_layout(legend_rows=-(-len(traces) // 3)),
        "yaxis": {"title": {"text": y_title}, "zeroline": False},
        "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
    }})


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
    traces: list[Trace] = [_line(data.unit.name, points, decimals, line={"color": UNIT_COLOUR, "width": 2},
                                      marker={"size": 7, "color": UNIT_COLOUR})]
    if synthetic := synthetic_trace(points, decimals):
        traces.append(synthetic)
    for name, numbers, dash, width in (("Mean (centre line)", result.means, "solid", 2),
                                       ("Upper process limit", result.upper_limits, "dash", 1.5),
                                       ("Lower process limit", result.lower_limits, "dash", 1.5)):
        traces.append(dict(type="scatter", x=x, y=_rounded(numbers, decimals), name=name, mode="lines",
                           line={"color": "#505a5f", "dash": dash, "width": width}, text=labels,
                           meta={"role": "spc-line"}, hovertemplate=f"{name}: %{{y}}<extra></extra>"))
    for point_type, (name, symbol, colour) in spc_pages.POINT_STYLES.items():
        flagged = [i for i, kind in enumerate(result.point_types) if kind == point_type]
        if not flagged:
            continue
        traces.append(dict(
            type="scatter",
            x=[x[i] for i in flagged], y=[_float(points[i].value, decimals) for i in flagged],
            text=[labels[i] for i in flagged], customdata=[result.special_cause_types[i] for i in flagged],
            name=name, mode="markers", meta={"role": "special-cause", "point_type": point_type},
            marker={"symbol": symbol, "size": 14, "color": colour, "line": {"color": "#0b0c0c", "width": 1}},
            hovertemplate=f"{name}, %{{text}}: %{{y}} (%{{customdata}})<extra></extra>",
        ))
    target = spc_pages.target_of(data.unit_row.target, indicator.polarity)
    if target is not None:
        edge = [x[0], x[-1]]
        bounds = target if isinstance(target, tuple) else (target,)
        names = ("Green band from", "Green band to") if isinstance(target, tuple) else ("Target",)
        for name, bound in zip(names, bounds, strict=True):
            level = _float(Decimal(bound), decimals)
            traces.append(dict(type="scatter", x=edge, y=[level, level],
                               name=f"{name} ({data.unit_row.period.label})" if data.unit_row.period else name,
                               mode="lines",
                               line={"color": "#00703c", "dash": "dot", "width": 2},
                               hovertemplate=f"{name}: %{{y}}<extra></extra>"))
    return line_chart(traces, f"SPC: {indicator.printed_code or indicator.code}, {data.unit.name}", indicator.unit)


def bar_figure(data: IndicatorPageData) -> dict[str, Any] | None:
    """Every district's (or team's) latest value, coloured by RAG, with the word in text and hover."""
    rows = [row for row in data.rows if row.unit in data.peers and row.value is not None]
    if not rows:
        return None
    decimals = data.indicator.decimals
    words = [row.rag_bucket for row in rows]
    figure = go.Figure(go.Bar(
        x=[row.unit.name for row in rows],
        y=[_float(row.value, decimals) for row in rows],
        text=words,
        textposition="outside",
        marker={"color": [RAG_COLOURS[w] for w in words], "line": {"color": "#0b0c0c", "width": 1}},
        customdata=[row.period.label if row.period else "" for row in rows],
        hovertemplate="%{x}, %{customdata}: %{y} (%{text})<extra></extra>",
        name="Latest value",
    ))
    authority_row = next((row for row in data.rows if data.authority and row.unit == data.authority), None)
    if authority_row is not None and authority_row.value is not None:
        figure.add_hline(y=_float(authority_row.value, decimals), line_dash="dash", line_color=UNIT_COLOUR,
                         annotation_text=f"{authority_row.unit.name}: {round_half_up(authority_row.value, decimals)}")
    figure.update_layout(
        title={"text": f"Latest value by {'district' if data.indicator.reported_for == 'district' else 'team'}"},
        font=FONT, height=420, margin={"l": 60, "r": 20, "t": 50, "b": 140}, showlegend=False,
        yaxis={"title": {"text": data.indicator.unit}}, xaxis={"tickangle": -35},
        plot_bgcolor="#ffffff", paper_bgcolor="#ffffff",
    )
    return as_json(figure)


def as_json(figure: go.Figure | dict[str, Any]) -> dict[str, Any]:
    """Plain JSON data for json_script (plotly's own encoder handles dates and arrays)."""
    return json.loads(pio.to_json(figure, validate=False))



def value_lines(data: IndicatorPageData, spc: spc_pages.SeriesSpc | None = None) -> list[dict[str, Any]]:
    """The unit's values as a table under the chart (a chart is never the only way to read a number).

    The note says which values are synthetic and, with ``spc`` shown, the SPC rule a point breaks.
    """
    indicator = data.indicator
    rules: dict[Period, str] = {}
    if spc is not None and spc.result is not None and spc.shown:
        rules = {point.period: f"{spc_pages.POINT_STYLES[kind][0]}: {rule}"
                 for point, kind, rule in zip(spc.points, spc.result.point_types, spc.result.special_cause_types, strict=True)
                 if kind in spc_pages.POINT_STYLES}
    lines = []
    for period, value in sorted(data.series(data.unit).items(), reverse=True):
        spec = data.data.target_for(indicator, period.year_start_year, data.unit)
        notes = (["synthetic (generated, not a real figure)"] if value.synthetic else []) + (
            [rules[period]] if period in rules else [])
        lines.append({
            "note": "; ".join(notes),
            "synthetic": value.synthetic,
            "period": f"{period.label} outturn" if period.kind is periods.PeriodKind.OUTTURN else period.label,
            "value": cells.value_cell(value, indicator.decimals),
            "numerator": cells.plain_number(value.numerator),
            "denominator": cells.plain_number(value.denominator),
            "target": cells.target_cell(spec, indicator.polarity, indicator.decimals),
            "rag": cells.rag_cell(rag(value.value, spec, indicator.polarity, indicator.decimals)),
        })
    return lines


def latest_lines(data: IndicatorPageData) -> list[dict[str, Any]]:
    """The bar chart's numbers as a table: each unit's latest row (the authority first)."""
    decimals = data.indicator.decimals
    return [{
        "unit": row.unit,
        "period": row.period.label if row.period else "",
        "value": cells.value_cell(row.latest, decimals),
        "dot": cells.dot_cell(row.dot),
        "target": cells.target_cell(row.target, data.indicator.polarity, decimals),
        "rag": cells.rag_cell(row.rag),
    } for row in data.rows]


def target_lines(data: IndicatorPageData) -> list[dict[str, Any]]:
    def band(low: Decimal | None, high: Decimal | None) -> str:
        return f"{cells.plain_number(low)}–{cells.plain_number(high)}" if low is not None or high is not None else ""

    return [{
        "year": target.year_label,
        "applies_to": f"{target.unit.name} only" if target.unit else target.get_applies_to_display(),
        "target": cells.plain_number(target.target),
        "floor": cells.plain_number(target.floor),
        "band": band(target.band_low, target.band_high),
        "floor_band": band(target.floor_band_low, target.floor_band_high),
    } for target in data.targets]


def revision_lines(data: IndicatorPageData) -> list[dict[str, Any]]:
    def shown(value: Decimal | None, status: str) -> str:
        return cells.plain_number(value) if value is not None else cells.status_word(status)

    return [{
        "period": revision.measurement.period.label,
        "old": shown(revision.old_value, revision.old_status),
        "new": shown(revision.new_value, revision.new_status),
        "when": revision.changed_at,
        "who": revision.changed_by.get_username() if revision.changed_by else "",
        "why": revision.reason,
    } for revision in data.revisions]
