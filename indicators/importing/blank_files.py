"""Downloadable templates for the two upload layouts, pre-filled with today's indicator codes and unit names.

Their periods come from the data, never the clock: a template is for the next upload, so it is made
for the month after the latest edition month (``template_month``).
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from districts.models import ReportingUnit, UnitKind
from indicators.analysis import periods
from indicators.analysis.periods import Frequency, Period, PeriodKind
from indicators.models import Indicator, Measurement
from indicators.spreadsheets import csv_bytes, xlsx_bytes

from ..file_types import CONTENT_TYPES
from .parse import LONG_COLUMNS, WIDE_FIXED
from .validate import reported_for_unit

LAYOUTS = ("long", "wide")
FORMATS = CONTENT_TYPES


def template_month() -> Period:
    """The month a new upload reports: the one after the latest edition month (one query).

    Not the edition month itself: its figures are in already (late ones are chased from the 'to be
    supplied' list, and the wide template still has a column for it and every month of its year).
    Not the clock's month: the data may lag it by months (a demo by years), and a template for a
    month nobody has reached, or far beyond the data, is the wrong file. Only with no figures at all
    does the clock decide (last month).
    """
    latest = Measurement.objects.latest_edition_month()
    if latest is None:
        today = timezone.localdate()
        return periods.previous(periods.month(today.year, today.month))
    return periods.shift(periods.month(latest.year, latest.month), 1)


def latest_periods(frequency: Frequency, last_month: Period) -> list[Period]:
    """The columns a wide template offers for a month's upload: its financial year's months up to it, or
    the last few periods (quarters, terms, academic years) started by it."""
    if frequency is Frequency.MONTHLY:
        first = periods.month(last_month.year_start_year, periods.FINANCIAL_YEAR_START_MONTH)
        return periods.trend(
            last_month, (last_month.start.year - first.start.year) * 12 + last_month.start.month - first.start.month + 1
        )
    if frequency is Frequency.QUARTERLY:
        offset = (last_month.start.month - periods.FINANCIAL_YEAR_START_MONTH) % 3
        quarter = Period(periods.add_months(last_month.start, -offset), PeriodKind.QUARTER)
        return periods.trend(quarter, 4)
    if frequency is Frequency.TERMLY:
        start_month = max((m for m in (1, 4, 9) if m <= last_month.start.month), default=9)
        year = last_month.start.year if start_month <= last_month.start.month else last_month.start.year - 1
        return periods.trend(Period(date(year, start_month, 1), PeriodKind.TERM), 3)
    # The latest academic year ended by the end of the month (years run September to August).
    month_number = last_month.start.month
    latest_year = last_month.start.year - (1 if month_number >= periods.ACADEMIC_YEAR_START_MONTH - 1 else 2)
    return [periods.year_period(first, Frequency.ANNUAL) for first in range(latest_year - 2, latest_year + 1)]


def _pairs() -> list[tuple[Indicator, ReportingUnit]]:
    """Every (indicator, unit that reports it): two queries."""
    units = [u for u in ReportingUnit.objects.all() if u.kind != UnitKind.AREA]
    return [
        (indicator, unit)
        for indicator in Indicator.objects.all()
        for unit in units
        if reported_for_unit(indicator, unit)
    ]


def template_sheets(layout: str, month: Period, one_sheet: bool) -> list[tuple[str, list[list[str]]]]:
    pairs = _pairs()
    if layout == "long":
        rows = [list(LONG_COLUMNS)]
        for indicator, unit in pairs:
            period = latest_periods(indicator.frequency_enum, month)[-1]
            rows.append([indicator.code, unit.name, period.label, "", "", "", ""])
        return [("values", rows)]
    sheets = []
    for frequency in Frequency:
        columns = [p.label for p in latest_periods(frequency, month)]
        body = [[i.code, u.name] for i, u in pairs if i.frequency == frequency]
        sheets.append((frequency.value, columns, body))
    if one_sheet:  # a wide CSV is one sheet: every frequency's columns side by side
        columns = [c for _, cols, _ in sheets for c in cols]
        body = [row for _, _, rows in sheets for row in rows]
        return [("values", [[*WIDE_FIXED, *columns], *body])]
    return [(name, [[*WIDE_FIXED, *cols], *rows]) for name, cols, rows in sheets if rows]


def render_template(layout: str, file_format: str, month: Period) -> bytes:
    """The template as a file; unit and indicator names are written formula-safe (indicators.spreadsheets)."""
    sheets = template_sheets(layout, month, one_sheet=file_format == "csv")
    if file_format == "csv":
        return csv_bytes(sheets[0][1])
    return xlsx_bytes(sheets)
