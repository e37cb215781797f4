"""Exports of scorecard tables: one row per (reporting unit, indicator), as CSV or XLSX.

The columns are an interface other people rely on (DESIGN.md): keep their names and order.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from openpyxl import Workbook

from indicators.analysis.numbers import round_half_up, without_trailing_zeros
from indicators.analysis.rag import TargetSpec
from indicators.file_types import CONTENT_TYPES

from .assembly import ScorecardRow, Value

COLUMNS = (
    "area", "indicator", "name", "polarity", "data_period", "period", "value", "status", "numerator",
    "denominator", "dot", "target", "rag", "previous_outturn", "previous_target", "previous_rag", "benchmark",
    "england",
)
FORMATS = CONTENT_TYPES
# A text cell starting with one of these is a formula to Excel (formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

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
    }


def neutralise(cell: Cell) -> Cell:
    """Numbers stay numbers (Progress 8 values are negative); risky text gets a leading quote."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def _plain(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        # Trailing zeros are kept: 30.0 is printed as 30.0.
        return format(cell, "f")
    return cell


def to_csv(rows: Iterable[ScorecardRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        cells = export_row(row)
        writer.writerow([_plain(neutralise(cells[column])) for column in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(rows: Iterable[ScorecardRow], sheet_title: str = "Scorecard") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append(COLUMNS)
    for row in rows:
        cells = export_row(row)
        sheet.append([
            float(cell) if isinstance(cell, Decimal) else (neutralise(cell) or None)
            for cell in (cells[column] for column in COLUMNS)
        ])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(rows: Iterable[ScorecardRow], export_format: str, sheet_title: str = "Scorecard") -> bytes:
    if export_format == "csv":
        return to_csv(rows)
    if export_format == "xlsx":
        return to_xlsx(rows, sheet_title)
    raise ValueError(f"unknown export format {export_format!r}: use csv or xlsx")
