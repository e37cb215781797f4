"""Freezing an edition: assembled scorecard rows -> plain JSON, with suppression decided once.

The snapshot is what members see, for ever: later uploads and rule changes never touch
it. Numbers are stored as exact strings (``"76.9"``), periods as printed labels
(``"Oct-24"``, ``"Q2 24-25"``, ``"2023-24"``: parse them back with
``periods.parse_period(label, frequency)``).

Shape (``FORMAT`` 1)::

    {"format": 1, "month": "2024-10", "month_label": "Oct-24", "suppression_threshold": 5,
     "units": [{"id", "name", "slug", "kind", "has_data", "teams": [names], "rows": [ROW, ...]}, ...],
     "commentary": [{"indicator_id", "code", "unit_id", "unit", "text", "author", "updated_at"}, ...]}

    ROW = {"unit_id", "unit", "unit_slug", "indicator_id", "code", "printed_code", "name", "section",
           "table", "polarity", "data_period", "frequency", "measure", "decimals", "period",
           "latest": VALUE|None, "trend": [VALUE], "comparison": VALUE|None, "dot", "target": TARGET|None,
           "rag", "previous_outturn": VALUE|None, "previous_target": TARGET|None, "previous_rag",
           "benchmark": {"label", "value"}|None, "england": {"label", "value"}|None,
           "dot_long", "expected", "rating", "tolerance", "tolerance_kind", "activity", "compares_with",
           "expected_range": [LOWER, UPPER]|None}
    VALUE = {"period", "value", "numerator", "denominator", "status",
             "suppressed", "numerator_suppressed", "denominator_suppressed", "footnote"}

    (``footnote``, e.g. "Provisional: not yet published by the Ministry of Justice", is blank when
    there is none; snapshots frozen before footnotes existed lack the key. ``dot_long`` is the long arrow
    where the direction method is both, ``expected`` an activity indicator's within/above/below, ``rating``
    the rule that judged the row (floor, tolerance, tolerance_improving, none), with its ``tolerance`` (a number
    text, or None) and ``tolerance_kind`` (percent, absolute); ``activity`` whether it is an activity indicator, and
    ``compares_with`` the direction method that judged ``dot`` (previous period, …, trend): snapshots frozen before
    them lack the keys, and read as judged by the floor rule with one arrow, compared with an earlier period.
    ``expected_range`` is an activity indicator's lower and upper threshold, number texts or None, printed where
    a target would stand; snapshots frozen before it print the target there.)

Stored in two parts: ``EditionVersion.snapshot`` holds all but ``units``, and each unit is an
``EditionUnit`` record, so a page reads only the units it shows. ``EditionVersion.document()``
puts the whole back together.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from indicators.analysis.numbers import without_trailing_zeros
from indicators.analysis.rag import TargetSpec
from indicators.models import Benchmark, Status

from ..assembly import NEW_INDICATOR, NOT_SUPPLIED, Scorecard, ScorecardRow, Value

FORMAT = 1
# A row whose edition value carries one of these has data (a value, or a status the uploader gave).
NO_DATA_STATUSES = (NOT_SUPPLIED, NEW_INDICATOR)

JSON = dict[str, Any]


def number_text(value: Decimal | None) -> str | None:
    """Exact, without the storage scale's trailing zeros: 76.900000 -> "76.9", 100.000000 -> "100"."""
    return format(without_trailing_zeros(value), "f") if value is not None else None


def is_small(number: Decimal | None, threshold: int) -> bool:
    return number is not None and number < threshold


def suppression(value: Value, is_count: bool, threshold: int) -> tuple[bool, bool, bool]:
    """Whether the value, its numerator and its denominator are shown as [c] to members.

    Primary suppression: a value uploaded as ``suppressed``; a count below the threshold;
    a numerator or denominator below it. Secondary suppression: when a numerator or
    denominator is hidden the rate is hidden too, or it and the other figure would give
    the hidden one back.
    """
    if value.status == Status.SUPPRESSED:
        return True, True, True
    numerator_hidden = is_small(value.numerator, threshold)
    denominator_hidden = is_small(value.denominator, threshold)
    count_hidden = is_count and is_small(value.value, threshold)
    return count_hidden or numerator_hidden or denominator_hidden, numerator_hidden, denominator_hidden


def value_json(value: Value | None, is_count: bool, threshold: int) -> JSON | None:
    if value is None:
        return None
    hidden, numerator_hidden, denominator_hidden = suppression(value, is_count, threshold)
    return {
        "period": value.period.label,
        "value": number_text(value.value),
        "numerator": number_text(value.numerator),
        "denominator": number_text(value.denominator),
        "status": value.status,
        "suppressed": hidden,
        "numerator_suppressed": numerator_hidden,
        "denominator_suppressed": denominator_hidden,
        "footnote": value.footnote,
    }


def target_json(spec: TargetSpec | None) -> JSON | None:
    if spec is None:
        return None
    return {
        name: number_text(getattr(spec, name))
        for name in ("target", "floor", "band_low", "band_high", "floor_band_low", "floor_band_high")
    }


def benchmark_json(benchmark: Benchmark | None) -> JSON | None:
    return {"label": benchmark.label, "value": number_text(benchmark.value)} if benchmark else None


def row_json(row: ScorecardRow, threshold: int) -> JSON:
    indicator, is_count = row.indicator, row.indicator.is_count
    return {
        "unit_id": row.unit.pk,
        "unit": row.unit.name,
        "unit_slug": row.unit.slug,
        "indicator_id": indicator.pk,
        "code": indicator.code,
        "printed_code": indicator.printed_code,
        "name": indicator.name,
        "section": indicator.section,
        "table": indicator.table,
        "polarity": indicator.polarity,
        "data_period": indicator.data_period,
        "frequency": indicator.frequency,
        "measure": indicator.unit,
        "decimals": indicator.decimals,
        "period": row.period.label if row.period else None,
        "latest": value_json(row.latest, is_count, threshold),
        "trend": [value_json(value, is_count, threshold) for value in row.trend],
        "comparison": value_json(row.comparison, is_count, threshold),
        "dot": row.dot.value if row.dot else None,
        "target": target_json(row.target),
        "rag": row.rag.value if row.rag else None,
        "previous_outturn": value_json(row.previous_outturn, is_count, threshold),
        "previous_target": target_json(row.previous_target),
        "previous_rag": row.previous_rag.value if row.previous_rag else None,
        "benchmark": benchmark_json(row.benchmark),
        "england": benchmark_json(row.england),
        "dot_long": row.dot_long.value if row.dot_long else None,
        "expected": row.expected.value if row.expected else None,
        "rating": row.rating,
        "tolerance": number_text(indicator.tolerance) if indicator.rule.tolerance is not None else None,
        "tolerance_kind": indicator.rule.tolerance_kind.value,
        "activity": indicator.activity,
        "compares_with": row.compares_with,
        "expected_range": [number_text(level) for level in row.expected_range] if row.expected_range else None,
    }


def has_data(rows: Iterable[JSON]) -> bool:
    """True when any row has a figure (or an uploaded status) for its edition period."""
    return any(row["latest"] and row["latest"]["status"] not in NO_DATA_STATUSES for row in rows)


def unit_json(card: Scorecard, threshold: int) -> JSON:
    rows = [row_json(row, threshold) for row in card.rows]
    return {
        "id": card.unit.pk,
        "name": card.unit.name,
        "slug": card.unit.slug,
        "kind": card.unit.kind,
        "has_data": has_data(rows),
        "teams": [team.name for team in card.teams],
        "rows": rows,
    }


def commentary_json(commentary: Iterable[Any]) -> list[JSON]:
    """Commentary records (with indicator, unit and author fetched) as frozen text."""
    return [
        {
            "indicator_id": item.indicator_id,
            "code": item.indicator.code,
            "unit_id": item.unit_id,
            "unit": item.unit.name if item.unit_id else None,
            "text": item.text,
            "author": (item.author.get_full_name() or item.author.get_username()) if item.author_id else "",
            "updated_at": item.updated_at.isoformat(),
        }
        for item in commentary
    ]


def build_snapshot(
    cards: Iterable[Scorecard], commentary: Iterable[Any], month_iso: str, month_label: str, threshold: int
) -> JSON:
    return {
        "format": FORMAT,
        "month": month_iso,
        "month_label": month_label,
        "suppression_threshold": threshold,
        "units": [unit_json(card, threshold) for card in cards],
        "commentary": commentary_json(commentary),
    }
