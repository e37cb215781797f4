"""URL converters shared by the page and edition URLs: a month in a URL is a real month or a 404."""

from __future__ import annotations

from django.urls import register_converter

from indicators.analysis.periods import Period, PeriodError, parse_month

# Months a URL may name. Outside them (year 0, 9999-12) there is no page, and date arithmetic on the
# page (next month, a trend's first month) would run out of the calendar: a 404, never a 500.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def month_of(value: str) -> Period:
    """``yyyy-mm`` -> the month; ValueError (which Django turns into a 404) for no such month."""
    try:
        month = parse_month(value)
    except (PeriodError, ValueError, OverflowError) as error:
        raise ValueError(f"'{value}' is not a month: {error}") from None
    if not FIRST_YEAR <= month.start.year <= LAST_YEAR:
        raise ValueError(f"'{value}' is not a month this app has pages for")
    return month


class MonthTextConverter:
    """A month as ``yyyy-mm``, passed on as that text (whether it has data is the view's question)."""

    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> str:
        month_of(value)
        return value

    def to_url(self, value: str) -> str:
        return value


class MonthConverter:
    """``2024-10`` in a URL <-> the month Period (an impossible month is a 404)."""

    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> Period:
        return month_of(value)

    def to_url(self, value: Period | str) -> str:
        return value.iso if isinstance(value, Period) else str(value)


register_converter(MonthTextConverter, "yyyy-mm")
register_converter(MonthConverter, "edition_month")
