"""A frozen snapshot -> what a member page or the committee pack prints. Pure: no database.

Suppression was decided at publication (``snapshot.py``); here a suppressed figure is
printed as ``[c]`` and its RAG and arrow are left out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.safestring import SafeString

from indicators.analysis.direction import ARROWS, ComparesWith, Direction, direction_words
from indicators.analysis.numbers import display, without_trailing_zeros
from indicators.analysis.rag import Rag, rag_rank
from indicators.analysis.rating import EXPECTED_WORDS, Expected, RatingRule, expected_range_text

from .. import sparkline
from ..assembly import DATA_ONLY, NO_VALUE, NOT_RATED, NOT_SUPPLIED, status_words
from ..footnotes import Footnotes
from ..rag_key import RagKey, judged_frozen, rag_key

JSON = dict[str, Any]
SUPPRESSED = "[c]"


def format_number(text: str | None, decimals: int) -> str:
    """ "1671" -> "1,671"; "17.45" at one decimal -> "17.5" (half up, as the rules round)."""
    return display(Decimal(text), decimals) if text is not None else ""


def plain_number(text: str | None) -> str:
    """A numerator or denominator as given (decimals kept: FTE posts), with thousands separators."""
    return format(without_trailing_zeros(Decimal(text)), ",f") if text is not None else ""


def value_text(value: JSON | None, decimals: int, short: bool = False) -> str:
    if value is None:
        return status_words(NOT_SUPPLIED, short)
    if value["suppressed"]:
        return SUPPRESSED
    if value["value"] is not None:
        return format_number(value["value"], decimals)
    # The latest-value column spells a missing figure out; trend cells stay short (the key explains them).
    return status_words(value["status"], short)


def fraction_text(value: JSON | None) -> str:
    """ "90 / 117", with [c] for a hidden part; blank when neither was given."""
    if value is None or (value["numerator"] is None and value["denominator"] is None):
        return ""
    parts = []
    for part in ("numerator", "denominator"):
        parts.append(SUPPRESSED if value[f"{part}_suppressed"] else plain_number(value[part]) or "–")
    return " / ".join(parts)


def target_or_range_text(row: JSON) -> str:
    """The target; an activity indicator's expected range instead (it has no target), where it was frozen."""
    if row.get("activity") and "expected_range" in row:
        low, high = row["expected_range"] or (None, None)
        return expected_range_text(
            Decimal(low) if low is not None else None, Decimal(high) if high is not None else None, row["decimals"]
        )
    return target_text(row["target"], row["polarity"], row["decimals"])


def target_text(target: JSON | None, polarity: str, decimals: int) -> str:
    if target is None:
        return ""
    text = format_number(target["target"], decimals)
    if polarity == "T" and target["band_low"] is not None and target["band_high"] is not None:
        text += f" ({format_number(target['band_low'], decimals)}–{format_number(target['band_high'], decimals)})"
    return text


@dataclass
class Cell:
    text: str
    label: str = ""  # the cell's period, printed only when it is not the column's
    note: int | None = None  # the number of the cell's footnote on this page


@dataclass
class RowView:
    code: str
    name: str
    polarity: str
    data_period: str
    trend: list[Cell]
    period: str
    value: str
    fraction: str
    arrow: str
    dot: str
    target: str
    rag: str | None
    previous_outturn: str
    previous_target: str
    previous_rag: str | None
    benchmark: str
    benchmark_label: str
    england: str
    england_label: str
    suppressed: bool
    indicator_id: int
    section: str
    note: int | None = None  # the latest value's footnote number
    sparkline: SafeString | str = ""  # the trend and the latest value drawn small, its values as text
    arrow_long: str = ""  # the long arrow (same period last year) where the direction method is both
    dot_long: str = ""
    data_only: bool = False  # never rated (the rule is none, or an activity indicator)
    expected: str = ""  # an activity indicator: "within expected range", "above …" or "below …"
    has_value: bool = True  # a value members see (not missing, not suppressed)
    by_trend: bool = False  # the arrow is a trend's (its words are "improving", "worsening", "no clear trend")

    @property
    def rating_text(self) -> str:
        """What the RAG column says for a row that has no RAG by design (blank: not rated for want of a target).

        Blank too for a row without a value: its value cell says why, and "data only" would read as a rating."""
        if self.expected:
            return self.expected
        return DATA_ONLY if self.data_only and self.has_value else ""

    @property
    def bucket(self) -> str:
        """The summary's count it falls in: a never-rated row without a value (or with a suppressed one) is not
        rated, as a rated row without one is; it does not say "data only"."""
        return self.rag or (DATA_ONLY if self.data_only and self.has_value else NOT_RATED)


def spark_points(row: JSON) -> list[sparkline.Point]:
    """A frozen row's trend (the latest included) for its sparkline; a suppressed value is a gap."""
    decimals = row["decimals"]
    return [
        sparkline.Point(
            value["period"],
            Decimal(value["value"]) if value["value"] is not None and not value["suppressed"] else None,
            value_text(value, decimals),
        )
        for value in row["trend"]
    ]


@dataclass
class TableView:
    title: str
    unit: str
    trend_labels: list[str]  # the earlier periods; the latest has its own column
    latest_label: str
    rows: list[RowView] = field(default_factory=list)
    has_outturn: bool = False

    @property
    def trend_span(self) -> str:
        """The periods the sparkline column spans: "Apr-24 to Oct-24"."""
        return f"{self.trend_labels[0]} to {self.latest_label}" if self.trend_labels else self.latest_label


def row_view(row: JSON, notes: Footnotes | None = None) -> RowView:
    """A row as printed; ``notes`` numbers its footnotes (leave it out where none are printed)."""
    notes = notes or Footnotes()
    decimals, latest = row["decimals"], row["latest"]
    suppressed = bool(latest and latest["suppressed"])
    outturn = row["previous_outturn"]
    dot = None if suppressed or not row["dot"] else Direction(row["dot"])
    dot_long = None if suppressed or not row.get("dot_long") else Direction(row["dot_long"])
    expected = None if suppressed or not row.get("expected") else Expected(row["expected"])
    return RowView(
        code=row["printed_code"],  # the made-up X-… codes are not printed
        name=row["name"],
        polarity=row["polarity"],
        data_period=row["data_period"],
        trend=[
            Cell(value_text(value, decimals, short=True), value["period"], notes.mark(value)) for value in row["trend"]
        ],
        period=row["period"] or "",
        value=value_text(latest, decimals),
        fraction=fraction_text(latest),
        arrow=ARROWS[dot] if dot else "",
        dot=direction_words(dot, row.get("compares_with") or "") if dot else "",
        target=target_or_range_text(row),
        rag=None if suppressed else row["rag"],
        previous_outturn=value_text(outturn, decimals) if outturn else "",
        previous_target=target_text(row["previous_target"], row["polarity"], decimals),
        previous_rag=None if outturn is None or outturn["suppressed"] else row["previous_rag"],
        benchmark=format_number(row["benchmark"]["value"], decimals) if row["benchmark"] else "",
        benchmark_label=row["benchmark"]["label"] if row["benchmark"] else "",
        england=format_number(row["england"]["value"], decimals) if row["england"] else "",
        england_label=row["england"]["label"] if row["england"] else "",
        suppressed=suppressed,
        indicator_id=row["indicator_id"],
        section=row["section"],
        note=notes.mark(latest),
        sparkline=sparkline.sparkline(spark_points(row)),
        arrow_long=ARROWS[dot_long] if dot_long else "",
        dot_long=dot_long.value if dot_long else "",
        data_only=row.get("rating") == RatingRule.NONE.value,
        expected=EXPECTED_WORDS[expected] if expected else "",
        has_value=bool(latest and latest["value"] is not None and not suppressed),
        by_trend=row.get("compares_with") == ComparesWith.TREND.value,
    )


def tables(unit: JSON, notes: Footnotes | None = None) -> list[TableView]:
    """A unit's rows as printed tables: one per (reporting unit, printed table), in row order.

    The trend columns are headed by the periods most rows share; a row whose periods differ
    (the KS4 indicators, a year behind) prints each cell's period beside it.
    """
    grouped: dict[tuple[str, str], list[JSON]] = {}
    for row in unit["rows"]:
        grouped.setdefault((row["unit"], row["table"]), []).append(row)
    views = []
    for (unit_name, table), rows in grouped.items():
        width = max((len(row["trend"]) for row in rows), default=0)
        labels = Counter(tuple(value["period"] for value in row["trend"]) for row in rows if len(row["trend"]) == width)
        header = list(labels.most_common(1)[0][0]) if labels else []
        view = TableView(
            title=table if unit_name == unit["name"] else f"{unit_name}: {table}",
            unit=unit_name,
            trend_labels=header[:-1],
            latest_label=header[-1] if header else "Latest",
            has_outturn=any(row["previous_outturn"] for row in rows),
        )
        for row in rows:
            shown = row_view(row, notes)
            cells = [Cell("") for _ in range(width - len(shown.trend))] + shown.trend
            for position, cell in enumerate(cells):
                if not cell.text or (header and cell.label == header[position]):
                    cell.label = ""
            shown.trend = cells[:-1]  # the latest is printed in full in its own column
            if shown.period == view.latest_label:
                shown.period = ""
            view.rows.append(shown)
        views.append(view)
    return views


def summary(unit: JSON) -> dict[str, int]:
    """RED, AMBER, GREEN and not rated, as members see them (a suppressed value is not rated); then data only
    (never rated: the rule is none, or an activity indicator), where there is any."""
    counts = Counter(view.bucket for view in (row_view(row) for row in unit["rows"]))
    buckets = (*(rag.value for rag in Rag), NOT_RATED, *((DATA_ONLY,) if counts.get(DATA_ONLY) else ()))
    return {bucket: counts.get(bucket, 0) for bucket in buckets}


@dataclass
class CommentaryView:
    code: str
    name: str
    section: str
    unit: str
    rag: str | None
    text: str
    author: str
    rating_text: str = ""  # no RAG by design: "data only", or an activity indicator's expected-range words


def commentary(snapshot: JSON, unit: JSON) -> list[CommentaryView]:
    """The unit's commentary, grouped by service (section) in print order, RED -> AMBER -> GREEN within each.

    For the authority: commentary written for the indicator as a whole or for the authority itself.
    """
    is_authority = unit["kind"] == "authority"
    rows: dict[int, JSON] = {}
    for row in unit["rows"]:
        rows.setdefault(row["indicator_id"], row)
    section_order: dict[str, int] = {}
    for row in unit["rows"]:
        section_order.setdefault(row["section"], len(section_order))
    order = {row["indicator_id"]: position for position, row in enumerate(unit["rows"])}
    views = []
    for item in snapshot.get("commentary", []):
        belongs = item["unit_id"] in (None, unit["id"]) if is_authority else item["unit_id"] == unit["id"]
        row = rows.get(item["indicator_id"])
        if not belongs or row is None:
            continue
        shown = row_view(row)
        # A never-rated row without a value is not "not rated" (the heading's word for a missing RAG) either.
        no_value = shown.data_only and not shown.has_value and not shown.suppressed
        views.append(
            (
                (section_order[row["section"]], rag_rank(shown.rag), order[row["indicator_id"]]),
                CommentaryView(
                    shown.code,
                    row["name"],
                    row["section"],
                    item["unit"] or unit["name"],
                    shown.rag,
                    item["text"],
                    item["author"],
                    shown.rating_text or (NO_VALUE if no_value else ""),
                ),
            )
        )
    return [view for _, view in sorted(views, key=lambda pair: pair[0])]


@dataclass
class UnitPage:
    unit: JSON
    tables: list[TableView]
    summary: dict[str, int]
    commentary: list[CommentaryView]
    footnotes: list[tuple[int, str]] = field(default_factory=list)
    key: RagKey = field(default_factory=RagKey)  # how its rows were judged

    @property
    def name(self) -> str:
        return self.unit["name"]

    @property
    def slug(self) -> str:
        return self.unit["slug"]

    @property
    def has_data(self) -> bool:
        return self.unit["has_data"]


def unit_page(snapshot: JSON, unit: JSON) -> UnitPage:
    notes = Footnotes()
    return UnitPage(
        unit, tables(unit, notes), summary(unit), commentary(snapshot, unit), notes.listed(), units_key([unit])
    )


def units_key(units: list[JSON]) -> RagKey:
    """The key for these units' frozen rows: the rules and direction methods they were judged by."""
    return rag_key(judged_frozen(row) for unit in units for row in unit["rows"])
