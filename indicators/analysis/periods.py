"""Reporting periods: parse and print every label style the scorecard uses.

A period is a kind plus a start date. Monthly and quarterly indicators count
years from 1 April (the UK financial year); termly and annual indicators count
academic years from 1 September. A year label (``2023-24``) on a monthly or
quarterly indicator is that year's *outturn*, a period of its own.

Years: a four-digit year must lie between :data:`EARLIEST_YEAR` (1990) and next year
(``Oct-0024`` and ``0023-11`` are refused, not read as the year 24 AD). A two-digit year
reads by a fixed pivot: 90-99 are 1990-1999 and 00-89 are 2000-2089 (``Jan-90`` is
January 1990, ``Oct-24`` October 2024), and must then lie in the same range. The first
year of ``Q2 24-25``, ``Autumn 99-00`` and ``2023-24`` follows the same rules.

Pure Python: no Django imports, so the rules are testable without a database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from indicators.analysis.numbers import quoted


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    TERMLY = "termly"
    ANNUAL = "annual"


class PeriodKind(StrEnum):
    """Stored as one letter beside the period's start date."""

    MONTH = "M"
    QUARTER = "Q"
    TERM = "T"
    YEAR = "A"  # an academic year: the period of an annual indicator
    OUTTURN = "O"  # a financial year's outturn of a monthly or quarterly indicator


# The kind of period each frequency reports in (its trend periods).
KIND_OF_FREQUENCY = {
    Frequency.MONTHLY: PeriodKind.MONTH,
    Frequency.QUARTERLY: PeriodKind.QUARTER,
    Frequency.TERMLY: PeriodKind.TERM,
    Frequency.ANNUAL: PeriodKind.YEAR,
}

FINANCIAL_YEAR_START_MONTH = 4
ACADEMIC_YEAR_START_MONTH = 9
MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
TERM_START_MONTHS = {"Autumn": 9, "Spring": 1, "Summer": 4}
MONTHS_IN = {
    PeriodKind.MONTH: 1,
    PeriodKind.QUARTER: 3,
    PeriodKind.YEAR: 12,
    PeriodKind.OUTTURN: 12,
}


EARLIEST_YEAR = 1990
TWO_DIGIT_PIVOT = 90  # two-digit years from 90 are 19xx, below it 20xx


class PeriodError(ValueError):
    """A period label that cannot be read, or does not fit the indicator."""


class YearRangeError(PeriodError):
    """A label shaped like a period whose year lies outside the years taken (Oct-0024, 0023-11, Oct-30 today)."""


def latest_year(today: date | None = None) -> int:
    """The last year a period may start in: next year."""
    return (today or date.today()).year + 1


def full_year(text: str, label: object) -> int:
    """A year as written in a label (two or four digits) as a four-digit year within the accepted range."""
    number = int(text)
    if len(text) == 2:
        number += 1900 if number >= TWO_DIGIT_PIVOT else 2000
    elif len(text) != 4:
        raise PeriodError(f"{quoted(label)} is not a period label: a year has two or four digits")
    return checked_year(number, label, text if len(text) == 4 else "")


def checked_year(year: int, label: object, written: str = "") -> int:
    """The year, if it lies between EARLIEST_YEAR and next year; PeriodError naming the label otherwise."""
    written = written or str(year)
    if year < EARLIEST_YEAR:
        raise YearRangeError(
            f"{quoted(label)} is not a period we can take: the year {written} is before "
            f"{EARLIEST_YEAR} (give years as 2024 or 24)"
        )
    if year > latest_year():
        raise YearRangeError(
            f"{quoted(label)} is not a period we can take: the year {written} is after next year, {latest_year()}"
        )
    return year


def year_start_month(frequency: Frequency) -> int:
    if frequency in (Frequency.MONTHLY, Frequency.QUARTERLY):
        return FINANCIAL_YEAR_START_MONTH
    return ACADEMIC_YEAR_START_MONTH


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def year_label(first: int) -> str:
    """2024 -> '2024-25': a financial or academic year, as the scorecard and its spreadsheets write it."""
    return f"{first}-{(first + 1) % 100:02d}"


def _year_pair(first: int) -> str:
    """2023 -> '23-24'."""
    return f"{first % 100:02d}-{(first + 1) % 100:02d}"


@dataclass(frozen=True, order=True)
class Period:
    start: date
    kind: PeriodKind

    @property
    def label(self) -> str:
        """The label the printed scorecard uses."""
        start = self.start
        if self.kind is PeriodKind.MONTH:
            return f"{MONTH_ABBREVIATIONS[start.month - 1]}-{start.year % 100:02d}"
        if self.kind is PeriodKind.QUARTER:
            quarter = (start.month - FINANCIAL_YEAR_START_MONTH) % 12 // 3 + 1
            return f"Q{quarter} {_year_pair(self.year_start_year)}"
        if self.kind is PeriodKind.TERM:
            term = next(name for name, month in TERM_START_MONTHS.items() if month == start.month)
            return f"{term} {_year_pair(self.year_start_year)}"
        return year_label(start.year)

    @property
    def iso(self) -> str:
        """``2024-10``: only months have an ISO label (quarters and terms would be ambiguous)."""
        if self.kind is not PeriodKind.MONTH:
            raise PeriodError(f"{self.label} is not a month, so it has no yyyy-mm form")
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def is_year(self) -> bool:
        return self.kind in (PeriodKind.YEAR, PeriodKind.OUTTURN)

    @property
    def year_start_year(self) -> int:
        """The first calendar year of the financial or academic year this period falls in."""
        first_month = (
            ACADEMIC_YEAR_START_MONTH if self.kind in (PeriodKind.TERM, PeriodKind.YEAR) else FINANCIAL_YEAR_START_MONTH
        )
        return self.start.year if self.start.month >= first_month else self.start.year - 1

    @property
    def year_label(self) -> str:
        """``2024-25``: the year whose target this period is judged against."""
        return year_label(self.year_start_year)

    def __str__(self) -> str:
        return self.label


def month(year: int, month_number: int) -> Period:
    return Period(date(year, month_number, 1), PeriodKind.MONTH)


def year_period(first_year: int, frequency: Frequency) -> Period:
    """The year period of an indicator: an annual indicator's academic year, or an outturn."""
    if frequency is Frequency.ANNUAL:
        return Period(date(first_year, ACADEMIC_YEAR_START_MONTH, 1), PeriodKind.YEAR)
    if frequency in (Frequency.MONTHLY, Frequency.QUARTERLY):
        return Period(date(first_year, FINANCIAL_YEAR_START_MONTH, 1), PeriodKind.OUTTURN)
    raise PeriodError("a termly indicator takes term labels (Autumn 24-25), not a year label")


# re.ASCII: \d is 0-9 only (Arabic-Indic and full-width digits are no year); $ is written \Z, so a label
# ending in a newline does not match.
_MONTH_LABEL = re.compile(r"^([A-Za-z]{3})[-\s]?(\d{2}|\d{4})\Z", re.ASCII)
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-01)?\Z", re.ASCII)
_QUARTER = re.compile(r"^Q([1-4])\s*(\d{2})[-/](\d{2})\Z", re.IGNORECASE | re.ASCII)
_TERM = re.compile(r"^(Autumn|Spring|Summer)\s*(\d{2})[-/](\d{2})\Z", re.IGNORECASE | re.ASCII)
_YEAR = re.compile(r"^(\d{4})[-/](\d{2}|\d{4})\Z", re.ASCII)


def _check_consecutive(first: int, second_text: str, label: str) -> None:
    second = int(second_text)
    if (first + 1) % (100 if len(second_text) == 2 else 10_000) != second:
        raise PeriodError(f"{quoted(label)} is not a year: {second_text} does not follow {first}")


def parse_label(label: str) -> Period:
    """Read a label whose kind it names itself (a month, quarter or term).

    Year labels depend on the indicator (academic year or outturn): use
    :func:`parse_period` with the indicator's frequency for those.
    """
    text = " ".join(str(label).split())
    if match := _ISO_MONTH.match(text):
        year, month_number = int(match[1]), int(match[2])
        if not 1 <= month_number <= 12:
            raise PeriodError(f"{quoted(label)} is not a month: there is no month {month_number}")
        return month(checked_year(year, label, match[1]), month_number)
    if match := _MONTH_LABEL.match(text):
        name = match[1].capitalize()
        if name not in MONTH_ABBREVIATIONS:
            raise PeriodError(f"{quoted(label)} is not a month: '{match[1]}' is not a month name (Jan … Dec)")
        return month(full_year(match[2], label), MONTH_ABBREVIATIONS.index(name) + 1)
    if match := _QUARTER.match(text):
        first = full_year(match[2], label)
        _check_consecutive(first, match[3], label)
        start = add_months(date(first, FINANCIAL_YEAR_START_MONTH, 1), (int(match[1]) - 1) * 3)
        return Period(start, PeriodKind.QUARTER)
    if match := _TERM.match(text):
        first = full_year(match[2], label)
        _check_consecutive(first, match[3], label)
        term_month = TERM_START_MONTHS[match[1].capitalize()]
        start_year = first if term_month >= ACADEMIC_YEAR_START_MONTH else first + 1
        return Period(date(start_year, term_month, 1), PeriodKind.TERM)
    raise PeriodError(
        f"{quoted(label)} is not a period label: use Oct-24 or 2024-10 (months), Q2 24-25 (quarters), "
        "Autumn 24-25 (terms) or 2023-24 (years)"
    )


def parse_year_label(label: str) -> int | None:
    """``2023-24`` -> 2023, or None when the label is not a year."""
    text = str(label).strip()
    match = _YEAR.match(text)
    if not match:
        return None
    first, second = int(match[1]), match[2]
    if len(second) == 2 and (first + 1) % 100 != int(second):
        return None  # not a year pair: 2024-10 is a month
    _check_consecutive(first, second, label)
    return checked_year(first, label, match[1])


def parse_period(value: str | date | datetime, frequency: Frequency | str) -> Period:
    """Read a period for an indicator of ``frequency``; refuse one of the wrong kind.

    A spreadsheet date cell is taken as its month.
    """
    frequency = Frequency(frequency)
    if isinstance(value, datetime | date):
        period = month(checked_year(value.year, value.isoformat()[:10]), value.month)
    elif (first_year := parse_year_label(str(value))) is not None:
        return year_period(first_year, frequency)
    else:
        period = parse_label(str(value))
    expected = KIND_OF_FREQUENCY[frequency]
    if period.kind is not expected:
        raise PeriodError(
            f"'{period.label}' is a {KIND_NAMES[period.kind]}, but this indicator is {frequency.value}: "
            f"it takes {KIND_NAMES[expected]} labels such as {EXAMPLE_LABELS[expected]}"
        )
    return period


KIND_NAMES = {
    PeriodKind.MONTH: "month",
    PeriodKind.QUARTER: "quarter",
    PeriodKind.TERM: "term",
    PeriodKind.YEAR: "year",
    PeriodKind.OUTTURN: "year (outturn)",
}
EXAMPLE_LABELS = {
    PeriodKind.MONTH: "Oct-24",
    PeriodKind.QUARTER: "Q2 24-25",
    PeriodKind.TERM: "Summer 23-24",
    PeriodKind.YEAR: "2023-24",
    PeriodKind.OUTTURN: "2023-24",
}


def parse_month(value: str) -> Period:
    """An edition month, given as ``Oct-24`` or ``2024-10``."""
    period = parse_label(value)
    if period.kind is not PeriodKind.MONTH:
        raise PeriodError(f"{quoted(value)} is not a month: give it as Oct-24 or 2024-10")
    return period


def _shift_term(period: Period, steps: int) -> Period:
    order = [1, 4, 9]  # Spring, Summer, Autumn within a calendar year
    index = period.start.year * 3 + order.index(period.start.month) + steps
    return Period(date(index // 3, order[index % 3], 1), PeriodKind.TERM)


def shift(period: Period, steps: int) -> Period:
    """The period ``steps`` periods later (negative: earlier), of the same kind."""
    if period.kind is PeriodKind.TERM:
        return _shift_term(period, steps)
    return Period(add_months(period.start, steps * MONTHS_IN[period.kind]), period.kind)


def previous(period: Period) -> Period:
    return shift(period, -1)


def same_period_last_year(period: Period) -> Period:
    return Period(add_months(period.start, -12), period.kind)


def periods_per_year(kind: PeriodKind) -> int:
    return {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.TERM: 3}.get(kind, 1)


def trend(period: Period, length: int) -> list[Period]:
    """The ``length`` periods ending with ``period``, oldest first."""
    return [shift(period, offset) for offset in range(1 - length, 1)]


def year_of(period: Period) -> int:
    """The first calendar year of the financial or academic year the period falls in (2024 for 2024-25)."""
    return period.year_start_year


def outturn_of(first_year: int) -> Period:
    return Period(date(first_year, FINANCIAL_YEAR_START_MONTH, 1), PeriodKind.OUTTURN)


def last_period_of_year(first_year: int, kind: PeriodKind) -> Period:
    """March for months, Q4 for quarters: stands in for a missing outturn."""
    year_end = date(first_year + 1, FINANCIAL_YEAR_START_MONTH, 1)
    return Period(add_months(year_end, -MONTHS_IN[kind]), kind)


def edition_period(as_at: Period, reported: Iterable[Period]) -> Period | None:
    """The latest reported trend period starting on or before the edition month.

    ``reported`` are the periods for which the authority has a row; outturns are
    never an edition's period.
    """
    candidates = [p for p in reported if p.kind is not PeriodKind.OUTTURN and p.start <= as_at.start]
    return max(candidates, default=None)
