"""Exports of scorecard tables: one row per (reporting unit, indicator), as CSV or XLSX.

The columns are an interface other people rely on (DESIGN.md): keep their names and order.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from indicators.analysis.numbers import round_half_up, without_trailing_zeros
from indicators.analysis.rag import TargetSpec
from indicators.file_types import CONTENT_TYPES
from indicators.spreadsheets import csv_bytes, xlsx_bytes

from .assembly import ScorecardRow, Value

COLUMNS = (
    "area",
    "indicator",
    "name",
    "polarity",
    "data_period",
    "period",
    "value",
    "status",
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
    "dot_long",
    "rating",
    "expected",
)
FORMATS = CONTENT_TYPES

Cell = str | Decimal | None


def _rounded(value: Decimal | None, decimals: int) -> Decimal | None:
    return round_half_up(value, decimals) if value is not None else None


def _target(spec: TargetSpec | None, decimals: int) -> Decimal | None:
    return _rounded(spec.target, decimals) if spec else None


def _plain_number(value: Decimal | None) -> Decimal | None:
    return without_trailing_zeros(value) if value is not None else None


def _outturn(value: Value | None, decimals: int) -> Decimal | None:
    return _rounded(value.value, decimals) if value else None


def export_row(row: ScorecardRow) -> dict[str, Cell]:
    indicator = row.indicator
    latest = row.latest
    return {
        "area": row.unit.name,
        "indicator": indicator.code,
        "name": indicator.name,
        "polarity": indicator.polarity,
        "data_period": indicator.data_period,
        "period": row.period.label if row.period else "",
        "value": _rounded(row.value, indicator.decimals),
        "status": row.status,
        "numerator": _plain_number(latest.numerator) if latest else None,
        "denominator": _plain_number(latest.denominator) if latest else None,
        "dot": row.dot.value if row.dot else "",
        "target": _target(row.target, indicator.decimals),
        "rag": row.rag.value if row.rag else "",
        "previous_outturn": _outturn(row.previous_outturn, indicator.decimals),
        "previous_target": _target(row.previous_target, indicator.decimals),
        "previous_rag": row.previous_rag.value if row.previous_rag else "",
        "benchmark": _rounded(row.benchmark.value, indicator.decimals) if row.benchmark else None,
        "england": _rounded(row.england.value, indicator.decimals) if row.england else None,
        "dot_long": row.dot_long.value if row.dot_long else "",
        "rating": row.rating,
        "expected": row.expected.value if row.expected else "",
    }


def _table(rows: Iterable[ScorecardRow]) -> Iterable[list[Cell]]:
    """The header, then each row's cells in column order (made formula-safe by indicators.spreadsheets)."""
    yield list(COLUMNS)
    for row in rows:
        cells = export_row(row)
        yield [cells[column] for column in COLUMNS]


def to_csv(rows: Iterable[ScorecardRow]) -> bytes:
    return csv_bytes(_table(rows))


def to_xlsx(rows: Iterable[ScorecardRow], sheet_title: str = "Scorecard") -> bytes:
    return xlsx_bytes([(sheet_title, _table(rows))])


def render(rows: Iterable[ScorecardRow], export_format: str, sheet_title: str = "Scorecard") -> bytes:
    if export_format == "csv":
        return to_csv(rows)
    if export_format == "xlsx":
        return to_xlsx(rows, sheet_title)
    raise ValueError(f"unknown export format {export_format!r}: use csv or xlsx")
