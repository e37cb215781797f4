"""The django-tables2 tables of the officer pages.

Every column is listed once, in ``SCORECARD_COLUMNS`` (a unit's scorecard) or
``MATRIX_COLUMNS`` (indicators down, units across): to add a column (a provisional mark, SPC),
add a ``ColumnDef`` there. Cells are computed in plain Python (``cells.py``) and the tables
render simple columns: no ``render_*`` methods, no per-cell templates.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django_tables2.utils import AttributeDict

from districts.models import ReportingUnit
from indicators.analysis.periods import Period
from indicators.analysis.rag import rag_rank
from scorecard import sparkline
from scorecard.assembly import ScorecardRow, unrated_words
from scorecard.footnotes import Footnotes

from . import cells
from . import spc as spc_pages
from .layout import Block, MatrixBlock

TEMPLATE = "scorecard/table.html"
TREND = "trend"  # where the trend (a sparkline, or a column per period with ?trend=full) goes in SCORECARD_COLUMNS
SPC = "spc"  # where the SPC column goes (switchable: ?spc=off)

NUMERIC_ATTRS = {"th": {"class": "num", "scope": "col"}, "td": {"class": "num"}}
TEXT_ATTRS = {"th": {"scope": "col"}}


@dataclass(frozen=True)
class ColumnDef:
    name: str
    header: str
    cell: Callable[[ScorecardRow, str], Any]  # (row, the indicator links' query: link_query()) -> cell content
    numeric: bool = False
    wide: bool = False  # the indicator's name: wraps, with a minimum width

    @property
    def attrs(self) -> dict[str, dict[str, str]]:
        if self.wide:
            return {"th": {"scope": "col"}, "td": {"class": "wide"}}
        return NUMERIC_ATTRS if self.numeric else TEXT_ATTRS

    def column(self, **kwargs: Any) -> tables.Column:
        return tables.Column(verbose_name=self.header, attrs=self.attrs, **{"orderable": False, **kwargs})


def link_query(as_at: Period, scorecard: str = "") -> str:
    """What the indicator links say besides the unit: the month, and the scorecard where it is not the default."""
    return urlencode({"month": as_at.iso, **({"scorecard": scorecard} if scorecard else {})})


def indicator_url(code: str, unit: ReportingUnit, query: str) -> str:
    return f"{reverse('indicator', args=[code])}?{urlencode({'area': unit.slug})}&{query}"


def code_link(row: ScorecardRow, query: str) -> SafeString:
    indicator = row.indicator
    return format_html(
        '<a href="{}">{}</a>', indicator_url(indicator.code, row.unit, query), indicator.printed_code or indicator.code
    )


def _decimals(row: ScorecardRow) -> int:
    return row.indicator.decimals


def target_or_range(row: ScorecardRow) -> SafeString:
    """The target; an activity indicator's expected range instead (it has no target), as its own page shows."""
    if row.indicator.activity:
        return cells.range_cell(row.expected_range, _decimals(row))
    return cells.target_cell(row.target, row.indicator.polarity, _decimals(row))


# A unit's scorecard, as printed. TREND marks where the trend (7 months, 4 quarters/terms/years) goes.
SCORECARD_COLUMNS: list[ColumnDef | str] = [
    ColumnDef("code", "Code", code_link),
    ColumnDef("name", "Indicator", lambda row, m: row.indicator.name, wide=True),
    ColumnDef("polarity", "Polarity", lambda row, m: cells.polarity_cell(row.indicator.polarity)),
    ColumnDef("data_period", "Data period", lambda row, m: cells.data_period_cell(row.indicator.data_period)),
    TREND,
    ColumnDef("period", "Latest period", lambda row, m: row.period.label if row.period else ""),
    ColumnDef("value", "Latest value", lambda row, m: cells.value_cell(row.latest, _decimals(row)), numeric=True),
    ColumnDef(
        "numerator",
        "Numerator",
        lambda row, m: cells.plain_number(row.latest.numerator if row.latest else None),
        numeric=True,
    ),
    ColumnDef(
        "denominator",
        "Denominator",
        lambda row, m: cells.plain_number(row.latest.denominator if row.latest else None),
        numeric=True,
    ),
    ColumnDef(
        "dot",
        "Direction",
        lambda row, m: format_html(  # the long arrow too where the method is both
            "{}{}",
            cells.dot_cell(row.dot, row.compares_with),
            format_html(" {} on a year", cells.dot_cell(row.dot_long)) if row.dot_long else "",
        ),
    ),
    ColumnDef(
        "target",
        "Target",
        lambda row, m: target_or_range(row),
        numeric=True,
    ),
    ColumnDef("rag", "RAG", lambda row, m: cells.rating_cell(row.rag, row.data_only, row.expected, row.has_value)),
    SPC,
    ColumnDef(
        "previous_outturn",
        "Last year outturn",
        lambda row, m: cells.value_cell(row.previous_outturn, _decimals(row)) if row.indicator.has_outturn else "",
        numeric=True,
    ),
    ColumnDef(
        "previous_target",
        "Last year target",
        lambda row, m: cells.target_cell(row.previous_target, row.indicator.polarity, _decimals(row)),
        numeric=True,
    ),
    ColumnDef(
        "previous_rag",
        "Last year RAG",
        lambda row, m: (
            cells.rag_cell(
                row.previous_rag,
                unrated=unrated_words(
                    row.data_only, None, row.previous_outturn is not None and row.previous_outturn.value is not None
                ),
            )
            if row.indicator.has_outturn
            else ""
        ),
    ),
    ColumnDef(
        "benchmark",
        "Benchmark",
        lambda row, m: cells.labelled_number(
            row.benchmark.value if row.benchmark else None, _decimals(row), row.benchmark.label if row.benchmark else ""
        ),
        numeric=True,
    ),
    ColumnDef(
        "england",
        "England",
        lambda row, m: cells.labelled_number(
            row.england.value if row.england else None, _decimals(row), row.england.label if row.england else ""
        ),
        numeric=True,
    ),
]


class LeanTable(tables.Table):
    """Columns come from the lists above (``extra_columns``); one shared template with a caption."""

    class Meta:
        template_name = TEMPLATE
        orderable = False
        default = ""
        attrs = {"class": "scorecard-table"}

    def __init__(
        self,
        data: Sequence[dict[str, Any]],
        columns: list[tuple[str, tables.Column]],
        caption: str,
        note: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(data, extra_columns=columns, **kwargs)
        self.caption = caption
        self.note = note  # said once above the table rather than in every row (e.g. too few points for SPC)

    def header(self) -> SafeString:
        """The header cells of a table that does not sort, built once in Python like the body.

        (A district page has dozens of tables; looping over django-tables2's bound columns in the
        template cost more than the body.) Sortable tables render their sort links in the template.
        """
        return mark_safe(
            "".join(
                f"<th {cell_openings(self, column)[0]}>{conditional_escape(column.header)}</th>"
                for column in self.columns
            )
        )

    def body(self) -> list[SafeString]:
        """The rows as finished ``<tr>`` HTML, in the (possibly sorted) order of the data.

        Built here in plain Python rather than cell by cell in the template: a BoundRow/BoundColumn
        per cell costs ~0.2 ms and a template loop per cell a few µs, and a district page has
        thousands of cells. The records hold finished (escaped or safe) cells.
        """
        columns = [(column.name, cell_openings(self, column)[1]) for column in self.columns]
        return [
            mark_safe(
                "<tr>"
                + "".join(f"{opening}{escaped(record.get(name, ''))}</td>" for name, opening in columns)
                + "</tr>"
            )
            for record in self.data
        ]


# (table attrs, column attrs, orderable, ordered) -> the <th> attributes and the <td …> opening tag.
_OPENINGS: dict[tuple[str, str, bool, bool], tuple[str, str]] = {}


def cell_openings(table: tables.Table, column: tables.columns.BoundColumn) -> tuple[str, str]:
    """A column's ``<th>`` attributes and ``<td …>`` opening tag.

    django-tables2 works a bound column's attributes out afresh on every call (tens of µs); a
    page's hundreds of columns share a handful of attribute sets, so each set is worked out once.
    """
    key = (repr(table.attrs), repr(column.column.attrs), column.orderable, column.is_ordered)
    if key not in _OPENINGS:
        attrs = column.attrs
        _OPENINGS[key] = (
            AttributeDict(attrs.get("th", {})).as_html(),
            f"<td {AttributeDict(attrs.get('td', {})).as_html()}>".replace(" >", ">"),
        )
    return _OPENINGS[key]


def escaped(value: object) -> str:
    """``conditional_escape`` without its lazy-string wrapper (thousands of cells a page): the same text."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def trend_labels(rows: Sequence[ScorecardRow]) -> list[str]:
    """The trend headers: the periods of the block's most common trend (a lagging row names its own)."""
    shapes: dict[tuple[str, ...], int] = {}
    for row in rows:
        labels = tuple(value.period.label for value in row.trend)
        shapes[labels] = shapes.get(labels, 0) + 1
    return list(max(shapes.items(), key=lambda shape: (shape[1], len(shape[0])))[0]) if shapes else []


def trend_header(labels: Sequence[str]) -> SafeString:
    """The sparkline column's header: "Trend" and the periods it spans."""
    if not labels:
        return mark_safe("Trend")
    span = labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"
    return format_html('Trend <span class="period">{}</span>', span)


def trend_sparkline(row: ScorecardRow, footnotes: Footnotes) -> SafeString:
    """A row's trend as a sparkline; the trend values' footnote marks follow it."""
    decimals = row.indicator.decimals
    points = [
        sparkline.Point(value.period.label, value.value, cells.value_text(value, decimals)) for value in row.trend
    ]
    marks = [number for number in (footnotes.number(value.footnote) for value in row.trend) if number is not None]
    return cells.with_footnotes(sparkline.sparkline(points), marks)


def spc_note(block_spc: Sequence[spc_pages.SeriesSpc]) -> str:
    """One sentence above a table for its rows with too few points for SPC (their cells say only "–")."""
    few = [summary for summary in block_spc if summary.state == spc_pages.SpcState.TOO_FEW]
    if not few:
        return ""
    counts = sorted({summary.count for summary in few})
    have = str(counts[0]) if len(counts) == 1 else f"{counts[0]} to {counts[-1]}"
    needed = spc_pages.spc.MIN_POINTS_FOR_LIMITS
    if len(few) == 1:
        return f"Too few points for SPC in 1 row ({have} points, {needed} needed): its SPC cell shows –."
    return (
        f"Too few points for SPC in {len(few)} of these {len(block_spc)} rows ({have} points, {needed} needed): "
        "their SPC cells show –."
    )


def scorecard_table(
    block: Block,
    as_at: Period,
    spc: dict[tuple[int, int], spc_pages.SeriesSpc] | None = None,
    footnotes: Footnotes | None = None,
    provisional: AbstractSet[tuple[int, int]] = frozenset(),
    full_trend: bool = False,
    scorecard: str = "",
) -> LeanTable:
    """``spc``: each row's SPC (``spc_pages.rows_spc``) for the SPC column; None leaves the column out.

    ``footnotes`` numbers the values' footnotes across the page; ``provisional`` holds the
    (unit id, indicator id) of rows whose latest figures members have not seen yet. The trend is
    a sparkline in one column, so that value, direction, target and RAG fit a laptop's screen;
    ``full_trend`` gives each period its own column instead (``?trend=full``). ``scorecard``: the code the
    indicator links carry (blank for the default scorecard).
    """
    footnotes = footnotes if footnotes is not None else Footnotes()
    query = link_query(as_at, scorecard)
    labels = trend_labels(block.rows)
    columns: list[tuple[str, tables.Column]] = []
    for spec in SCORECARD_COLUMNS:
        if spec == TREND:
            if full_trend:
                columns += [
                    (f"trend_{i}", tables.Column(verbose_name=label, attrs=NUMERIC_ATTRS, orderable=False))
                    for i, label in enumerate(labels)
                ]
            else:
                columns.append(
                    (
                        TREND,
                        tables.Column(
                            verbose_name=trend_header(labels),
                            attrs={"th": {"scope": "col"}, "td": {"class": "trend"}},
                            orderable=False,
                        ),
                    )
                )
        elif spec == SPC:
            if spc is not None:
                columns.append(
                    (
                        SPC,
                        tables.Column(
                            verbose_name="SPC: variation and assurance",
                            attrs={"th": {"scope": "col"}, "td": {"class": "spc"}},
                            orderable=False,
                        ),
                    )
                )
        elif isinstance(spec, ColumnDef):
            columns.append((spec.name, spec.column()))
    fixed = [spec for spec in SCORECARD_COLUMNS if isinstance(spec, ColumnDef)]
    records = []
    for row in block.rows:
        record = {spec.name: spec.cell(row, query) for spec in fixed}
        if row.latest is not None:
            record["value"] = cells.with_footnote(record["value"], footnotes.number(row.latest.footnote))
        if (row.unit.pk, row.indicator.pk) in provisional:
            record["value"] = record["value"] + cells.PROVISIONAL_MARK
        if full_trend:
            for i, value in enumerate(row.trend):
                expected = labels[i] if i < len(labels) else value.period.label
                cell = cells.trend_cell(value, row.indicator.decimals, expected)
                record[f"trend_{i}"] = cells.with_footnote(cell, footnotes.number(value.footnote))
        else:
            record[TREND] = trend_sparkline(row, footnotes)
        if spc is not None:
            record[SPC] = spc_pages.cell(spc[(row.indicator.pk, row.unit.pk)], short=True)
        records.append(record)
    note = spc_note([spc[(row.indicator.pk, row.unit.pk)] for row in block.rows]) if spc is not None else ""
    # "coded": the code and the indicator's name are the first two columns (both kept in view when scrolled).
    return LeanTable(records, columns, block.caption, note=note, attrs={"class": "scorecard-table coded"})


# --- Matrices: indicators down, units across (area pages and the comparison) --------------------

MATRIX_COLUMNS: list[ColumnDef] = [
    ColumnDef(
        "indicator",
        "Indicator",
        lambda row, m: format_html('{} <span class="name">{}</span>', code_link(row, m), row.indicator.name),
        wide=True,
    ),
    ColumnDef("polarity", "Polarity", lambda row, m: cells.polarity_cell(row.indicator.polarity)),
    ColumnDef("period", "Period", lambda row, m: row.period.label if row.period else ""),
    ColumnDef(
        "target",
        "Target",
        lambda row, m: target_or_range(row),
        numeric=True,
    ),
]
MATRIX_SORTABLE = {"indicator": ("code_sort",)}


def matrix_cell(row: ScorecardRow | None, query: str) -> SafeString:
    """RAG letter, value and arrow, linking to the indicator page for that unit."""
    if row is None:
        return cells.EMPTY
    return format_html(
        '<a href="{}">{} {}</a> {}',
        indicator_url(row.indicator.code, row.unit, query),
        cells.rag_cell(row.rag, short=True, unrated=unrated_words(row.data_only, row.expected, row.has_value)),
        cells.value_cell(row.latest, _decimals(row)),
        cells.dot_cell(row.dot, row.compares_with, short=True),
    )


def matrix_table(block: MatrixBlock, as_at: Period, scorecard: str = "") -> LeanTable:
    """Sortable server-side: ?sort=indicator (by code) or ?sort=<unit slug> (RED first), '-' reverses.

    ``scorecard``: the code the indicator links carry (blank for the default scorecard)."""
    query = link_query(as_at, scorecard)
    columns: list[tuple[str, tables.Column]] = []
    for spec in MATRIX_COLUMNS:
        sortable = spec.name in MATRIX_SORTABLE
        columns.append((spec.name, spec.column(orderable=sortable, order_by=MATRIX_SORTABLE.get(spec.name))))
    for unit in block.units:
        columns.append(
            (
                unit.slug,
                tables.Column(
                    verbose_name=unit.name,
                    attrs=NUMERIC_ATTRS,
                    orderable=True,
                    order_by=(f"rank__{unit.slug}", "order"),
                ),
            )
        )
    records = []
    for order, (indicator, line) in enumerate(block.lines):
        first = line.get(block.units[0].pk) if block.units else None
        first = first or next(iter(line.values()))
        record: dict[str, Any] = {spec.name: spec.cell(first, query) for spec in MATRIX_COLUMNS}
        record["code_sort"] = (indicator.printed_code or indicator.code).casefold()
        record["order"] = order
        record.update({unit.slug: matrix_cell(line.get(unit.pk), query) for unit in block.units})
        record["rank"] = {
            unit.slug: rag_rank(line[unit.pk].rag_bucket) if unit.pk in line else 9 for unit in block.units
        }
        records.append(record)
    return LeanTable(records, columns, block.caption, orderable=True)
