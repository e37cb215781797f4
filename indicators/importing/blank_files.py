"""Downloadable templates for the two upload layouts, pre-filled with today's indicator codes and unit names."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import Workbook

from districts.models import ReportingUnit, UnitKind
from indicators.analysis import periods
from indicators.analysis.periods import Frequency, Period, PeriodKind
from indicators.models import Indicator

from ..file_types import CONTENT_TYPES
from .parse import LONG_COLUMNS, WIDE_FIXED
from .validate import reported_for_unit

LAYOUTS = ("long", "wide")
FORMATS = CONTENT_TYPES


def latest_periods(frequency: Frequency, today: date) -> list[Period]:
    """The columns a wide template offers: this financial year's months to last month, or the last few periods."""
    last_month = periods.previous(periods.month(today.year, today.month))
    if frequency is Frequency.MONTHLY:
        first = periods.month(last_month.year_start_year, periods.FINANCIAL_YEAR_START_MONTH)
        return periods.trend(last_month, (last_month.start.year - first.start.year) * 12
                             + last_month.start.month - first.start.month + 1)
    if frequency is Frequency.QUARTERLY:
        offset = (last_month.start.month - periods.FINANCIAL_YEAR_START_MONTH) % 3
        quarter = Period(periods.add_months(last_month.start, -offset), PeriodKind.QUARTER)
        return periods.trend(quarter, 4)
    if frequency is Frequency.TERMLY:
        start_month = max((m for m in (1, 4, 9) if m <= last_month.start.month), default=9)
        year = last_month.start.year if start_month <= last_month.start.month else last_month.start.year - 1
        return periods.trend(Period(date(year, start_month, 1), PeriodKind.TERM), 3)
    latest_year = today.year - 1 if today.month >= periods.ACADEMIC_YEAR_START_MONTH else today.year - 2
    return [periods.year_period(first, Frequency.ANNUAL) for first in range(latest_year - 2, latest_year + 1)]


def _pairs() -> list[tuple[Indicator, ReportingUnit]]:
    """Every (indicator, unit that reports it): two queries."""
    units = [u for u in ReportingUnit.objects.all() if u.kind != UnitKind.AREA]
    return [(indicator, unit) for indicator in Indicator.objects.all() for unit in units
            if reported_for_unit(indicator, unit)]


def template_sheets(layout: str, today: date, one_sheet: bool) -> list[tuple[str, list[list[str]]]]:
    pairs = _pairs()
    if layout == "long":
        rows = [list(LONG_COLUMNS)]
        for indicator, unit in pairs:
            period = latest_periods(indicator.frequency_enum, today)[-1]
            rows.append([indicator.code, unit.name, period.label, "", "", "", ""])
        return [("values", rows)]
    sheets = []
    for frequency in Frequency:
        columns = [p.label for p in latest_periods(frequency, today)]
        body = [[i.code, u.name] for i, u in pairs if i.frequency == frequency]
        sheets.append((frequency.value, columns, body))
    if one_sheet:  # a wide CSV is one sheet: every frequency's columns side by side
        columns = [c for _, cols, _ in sheets for c in cols]
        body = [row for _, _, rows in sheets for row in rows]
        return [("values", [[*WIDE_FIXED, *columns], *body])]
    return [(name, [[*WIDE_FIXED, *cols], *rows]) for name, cols, rows in sheets if rows]


def render_template(layout: str, file_format: str, today: date) -> bytes:
    sheets = template_sheets(layout, today, one_sheet=file_format == "csv")
    if file_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(sheets[0][1])
        return buffer.getvalue().encode("utf-8")
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets:
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook_bytes = io.BytesIO()
    workbook.save(workbook_bytes)
    return workbook_bytes.getvalue()
