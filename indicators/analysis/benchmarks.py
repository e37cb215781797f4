"""The date a benchmark figure refers to, read from its printed label. Pure: no Django imports.

``England Average as at 31st December 2023`` -> 2023-12-31; ``South East as at Jan 2024`` ->
2024-01-01; a year label (``Benchmark Group 2023-24``) -> the start of that year: 1 September for
termly and annual indicators (academic years), 1 April for monthly and quarterly ones (financial).
"""

from __future__ import annotations

import re
from datetime import date

from .periods import Frequency, year_start_month

MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_AS_AT = re.compile(r"as at\s+(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([A-Za-z]{3})[a-z]*\.?\s+(\d{4})", re.IGNORECASE)
_YEAR = re.compile(r"\b(\d{4})[-/](\d{2})\b")


class BenchmarkDateError(ValueError):
    """A label that names no date or year."""


def benchmark_as_at(label: str, frequency: Frequency | str) -> date:
    """The date a benchmark label refers to (see the module's docstring)."""
    if match := _AS_AT.search(label):
        day, month_name, year = match.groups()
        month_number = MONTHS.get(month_name.lower())
        if month_number is not None:
            try:
                return date(int(year), month_number, int(day) if day else 1)
            except ValueError:
                raise BenchmarkDateError(f"'{label}' names an impossible date") from None
    if match := _YEAR.search(label):
        first, second = int(match[1]), int(match[2])
        if (first + 1) % 100 == second:
            return date(first, year_start_month(Frequency(frequency)), 1)
    raise BenchmarkDateError(f"'{label}' says neither an as-at date (as at 31st December 2023) nor a year (2023-24)")
