"""Check every record against the indicators and units we know, and say what is wrong in plain words.

Errors block the upload; warnings are shown in the preview and do not.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any, NamedTuple

from django.db import models

from districts.models import ReportingUnit, UnitAlias, UnitKind
from indicators.analysis.numbers import STORED_PLACES, STORED_QUANTUM, NumberError, quoted, stored, to_decimal
from indicators.analysis.periods import Period, PeriodError, parse_period
from indicators.models import LEVEL_WORDS, Indicator, Status

from .parse import Cell, Issue, Layout, ParsedFile, RawRecord, is_blank

STATUS_WORDS = {
    "n/a": Status.NOT_AVAILABLE.value,
    "to be supplied": Status.TO_BE_SUPPLIED.value,
    "data to be supplied": Status.TO_BE_SUPPLIED.value,
    "suppressed": Status.SUPPRESSED.value,
}


class Refused(Enum):
    """A cell already reported as an error: neither a value nor a blank, so the row is left out."""

    CELL = "refused"


REFUSED = Refused.CELL


class Key(NamedTuple):
    """Which stored value a value replaces (a tuple: cheap to build and hash 100,000 times)."""

    indicator_id: int
    unit_id: int
    period_kind: str
    period_start: date


@dataclass(frozen=True)
class NewValue:
    """A value the file gives, resolved to an indicator, unit and period."""

    indicator: Indicator
    unit: ReportingUnit
    period: Period
    value: Decimal | None
    status: str
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    has_ratio: bool = True  # False in the wide layout: the stored numerator and denominator are kept
    sheet: str = ""
    row: int = 0
    # Built once (the diff, the fingerprint and the month locks all ask for it); worked out when not given.
    key: Key = field(default=None, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.key is None:
            object.__setattr__(
                self, "key", Key(self.indicator.pk, self.unit.pk, self.period.kind.value, self.period.start)
            )


@dataclass
class Catalogue:
    """The indicators and units an upload may name, fetched once (a fixed number of queries)."""

    indicators: dict[str, Indicator]
    units: dict[str, ReportingUnit]  # lower-case name, alias or ONS code -> unit
    unit_names: list[str]  # for suggestions
    # A fingerprint of every row loaded (definitions_fingerprint): values checked against this catalogue are
    # still right while current_definitions() gives the same.
    definitions: str = ""

    @classmethod
    def load(cls) -> Catalogue:
        units_by_key: dict[str, ReportingUnit] = {}
        names: list[str] = []
        all_units = list(ReportingUnit.objects.all())
        for unit in all_units:
            units_by_key[unit.name.lower()] = unit
            names.append(unit.name)
            if unit.gss_code:
                units_by_key[unit.gss_code.lower()] = unit
        by_id = {unit.pk: unit for unit in units_by_key.values()}
        aliases = list(UnitAlias.objects.all())
        for alias in aliases:
            if alias.unit_id in by_id:
                units_by_key.setdefault(alias.alias.lower(), by_id[alias.unit_id])
                names.append(alias.alias)
        indicators = list(Indicator.objects.all())
        tables: tuple[list[Any], ...] = (indicators, all_units, aliases)
        loaded = [
            [[getattr(row, column) for column in _columns(model)] for row in rows]
            for model, rows in zip(DEFINITIONS, tables, strict=True)
        ]
        return cls({i.code: i for i in indicators}, units_by_key, names, definitions_fingerprint(loaded))

    def unit(self, name: str) -> ReportingUnit | None:
        return self.units.get(" ".join(name.split()).lower())

    def closest_unit(self, name: str) -> str | None:
        if len(name) > 200:  # no unit's near miss (and difflib on it would be slow)
            return None
        lowered = {n.lower(): n for n in self.unit_names}
        match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
        return lowered[match[0]] if match else None

    def closest_code(self, code: str) -> str | None:
        """The known code nearest to one that is not known, ignoring case (eh44 -> EH44), for "did you mean";
        codes are never accepted in another case. A very long text is no code's near miss."""
        if len(code) > 100:
            return None
        upper = {c.upper(): c for c in self.indicators}
        match = difflib.get_close_matches(code.upper(), list(upper), n=1, cutoff=0.7)
        return upper[match[0]] if match else None


DEFINITIONS = (Indicator, ReportingUnit, UnitAlias)  # what Catalogue.load reads, in that order


def _columns(model: type[models.Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]  # the primary key first


def definitions_fingerprint(tables: Iterable[Iterable[Sequence[Any]]]) -> str:
    """A fingerprint of the rows a check read (Catalogue.definitions): every column of every indicator, unit
    and alias, so any change to one (a code renamed, a unit deleted, a frequency or level changed) changes
    it. Editing a column the checks never read changes it too: that only costs a commit the full check."""
    digest = hashlib.sha256()
    for rows in tables:
        for row in sorted(rows, key=lambda row: row[0]):
            digest.update(repr(list(row)).encode())
        digest.update(b"|")  # where one table ends
    return digest.hexdigest()


def current_definitions() -> str:
    """Catalogue.load().definitions as things are now, without building a catalogue."""
    return definitions_fingerprint(model.objects.values_list(*_columns(model)) for model in DEFINITIONS)


@dataclass
class Checked:
    values: list[NewValue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


def did_you_mean(closest: str | None) -> str:
    """The hint after an unknown name: " Did you mean Dover?" when a known one is close, else nothing."""
    return f" Did you mean {closest}?" if closest else ""


def text_of(cell: Cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else " ".join(str(cell).split())


def status_of(cell: Cell) -> str | None:
    """The stored status a cell names, or None when it names none."""
    if not isinstance(cell, str):
        return None
    return STATUS_WORDS.get(" ".join(cell.split()).lower())


def reported_for_unit(indicator: Indicator, unit: ReportingUnit) -> bool:
    """The authority takes every indicator; districts and teams only those reported at their level."""
    return indicator.is_reported_for(unit)


def number(cell: Cell, what: str, percent: bool = False) -> Decimal:
    """A number cell by the strict grammar (numbers.to_decimal); NumberError in plain words otherwise, saying
    which number it is and what was seen. ``percent``: a trailing % is allowed."""
    try:
        return to_decimal(cell, percent=percent)
    except NumberError as error:
        raise NumberError(f"the {what} {error}") from None


def places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def ratio_disagrees(value: Decimal, numerator: Decimal, denominator: Decimal, percent: bool) -> bool:
    """True when no numbers that print as these three could agree (each is ± half its last printed digit).

    Dover SCS40 15.6 / 23.0 beside 67.9 agrees (15.6 may be 15.64, 23.0 may be 22.96);
    Dartford SISE4 112 / 1671 beside 67.1 does not.
    """

    def half_unit(number: Decimal) -> Decimal:
        return Decimal(5) * Decimal(10) ** (-places(number) - 1)

    low_den, high_den = denominator - half_unit(denominator), denominator + half_unit(denominator)
    if low_den <= 0:
        return False
    scale = 100 if percent else 1
    low = (numerator - half_unit(numerator)) / high_den * scale
    high = (numerator + half_unit(numerator)) / low_den * scale
    return value + half_unit(value) < low or value - half_unit(value) > high


class _RowChecker:
    """Checks one record at a time, collecting errors and the resolved value.

    A file names few distinct indicators, areas and periods in many rows, so each distinct cell is
    looked up (and any error worded, with its suggestion) once: the outcome is remembered per cell.
    """

    def __init__(self, catalogue: Catalogue, today: date, checked: Checked) -> None:
        self.catalogue = catalogue
        self.current_month = date(today.year, today.month, 1)
        self.checked = checked
        # Keyed by (type, cell): True and 1 are equal dict keys but read differently.
        self._indicators: dict[tuple[type, Cell], tuple[Indicator | None, str]] = {}
        self._units: dict[tuple[type, Cell], tuple[ReportingUnit | None, str]] = {}
        self._periods: dict[tuple[type, Cell, str], tuple[Period | None, str]] = {}
        self._reported: dict[tuple[int, int], bool] = {}

    def error(self, record: RawRecord, column: str, message: str) -> None:
        self.checked.errors.append(Issue(message, record.sheet, record.row, column))

    def indicator(self, record: RawRecord) -> Indicator | None:
        cell = record.indicator
        if (found := self._indicators.get(key := (type(cell), cell))) is None:
            found = self._indicators[key] = self._look_up_indicator(cell)
        indicator, message = found
        if message:
            self.error(record, "indicator", message)
        return indicator

    def _look_up_indicator(self, cell: Cell) -> tuple[Indicator | None, str]:
        code = text_of(cell)
        if not code:
            return None, "The indicator code is missing."
        indicator = self.catalogue.indicators.get(code)
        if indicator is None:
            closest = self.catalogue.closest_code(code)
            return None, f"Unknown indicator code {quoted(code)}.{did_you_mean(closest)}"
        return indicator, ""

    def unit(self, record: RawRecord) -> ReportingUnit | None:
        cell = record.area
        if (found := self._units.get(key := (type(cell), cell))) is None:
            found = self._units[key] = self._look_up_unit(cell)
        unit, message = found
        if message:
            self.error(record, "area", message)
        return unit

    def _look_up_unit(self, cell: Cell) -> tuple[ReportingUnit | None, str]:
        name = text_of(cell)
        if not name:
            return None, "The area (reporting unit) is missing."
        unit = self.catalogue.unit(name)
        if unit is None:
            closest = self.catalogue.closest_unit(name)
            return None, f"Unknown area {quoted(name)}.{did_you_mean(closest)}"
        if unit.kind == UnitKind.AREA:
            return None, f"{unit.name} is an area, and areas hold no values: give the value for each of its districts."
        return unit, ""

    def period(self, record: RawRecord, indicator: Indicator) -> Period | None:
        key = (type(record.period), record.period, indicator.frequency)
        if (found := self._periods.get(key)) is None:
            found = self._periods[key] = self._read_period(record.period, indicator.frequency)
        period, message = found
        if message:
            # An unreadable label's message names the indicator (the remembered outcome is per frequency).
            self.error(record, record.period_column, message if period is not None else f"{indicator.code}: {message}.")
            return None
        return period

    def _read_period(self, cell: Cell, frequency: str) -> tuple[Period | None, str]:
        """(period, "") or (None, what is wrong) or (period, why it is refused: in the future)."""
        try:
            # A date cell is its month; any other cell is read as the text it shows.
            period = parse_period(
                cell.strip() if isinstance(cell, str) else cell if isinstance(cell, date) else str(cell), frequency
            )
        except PeriodError as error:
            return None, str(error)
        if period.start > self.current_month:
            return period, f"{period.label} is in the future: a period cannot start after this month."
        return period, ""

    def check(self, record: RawRecord) -> NewValue | None:
        indicator = self.indicator(record)
        unit = self.unit(record)
        if indicator and unit:
            pair = (indicator.id, unit.id)
            if (reported := self._reported.get(pair)) is None:
                reported = self._reported[pair] = reported_for_unit(indicator, unit)
            if not reported:
                self.error(
                    record,
                    "area",
                    f"{indicator.code} is reported for {LEVEL_WORDS[indicator.reported_for]}, not for {unit.name}.",
                )
                unit = None
        period = self.period(record, indicator) if indicator else None
        # A trailing % is allowed on a percentage's value (and on any value when the indicator is unknown: that
        # row is refused for its code, so its value gets no second, misleading error).
        value, status = self.value_and_status(record, percent=indicator is None or indicator.unit == "percent")
        numerator = self.optional_number(record, record.numerator, "numerator")
        denominator = self.optional_number(record, record.denominator, "denominator")
        if not (indicator and unit and period) or value is REFUSED or numerator is REFUSED or denominator is REFUSED:
            return None
        return NewValue(
            indicator,
            unit,
            period,
            value,
            status,
            numerator,
            denominator,
            record.layout is Layout.LONG,
            record.sheet,
            record.row,
            Key(indicator.id, unit.id, period.kind.value, period.start),
        )

    def value_and_status(self, record: RawRecord, percent: bool = False) -> tuple[Decimal | Refused | None, str]:
        """(value, status); value REFUSED when the cells are in error (already reported)."""
        status = ""
        if not _blank(record.status):
            found = status_of(record.status)
            if found is None:
                self.error(
                    record,
                    "status",
                    f"Unknown status {quoted(text_of(record.status))}: use N/A, "
                    "to be supplied or suppressed (or leave it blank).",
                )
                return REFUSED, ""
            status = found
        cell = record.value
        if (value := _plain_number(cell)) is not None:  # nearly every cell: a number written plainly
            return value, status
        if _blank(cell):
            if not status:
                self.error(
                    record,
                    record.value_column,
                    "The value is blank and there is no status: a blank is "
                    "never a zero. Give a value or a status (N/A, to be "
                    "supplied, suppressed).",
                )
                return REFUSED, ""
            return None, status
        if (cell_status := status_of(cell)) is not None:
            return None, cell_status
        try:
            return stored(number(cell, "value", percent)), status
        except NumberError as error:
            self.error(record, record.value_column, sentence(str(error)))
            return REFUSED, ""

    def optional_number(self, record: RawRecord, cell: Cell, what: str) -> Decimal | Refused | None:
        if _blank(cell):
            return None
        if (value := _plain_number(cell)) is not None:
            return value
        try:
            return stored(number(cell, what))
        except NumberError as error:
            self.error(record, what, sentence(str(error)))
            return REFUSED


def _blank(cell: Cell) -> bool:
    return cell is None or cell == "" or is_blank(cell)


# A number as nearly every text cell writes it: within the grammar, the stored places and LARGEST_VALUE.
# (re.ASCII: \d is 0-9 only.)
_PLAIN_NUMBER = re.compile(rf"-?\d{{1,14}}(?:\.\d{{1,{STORED_PLACES}}})?", re.ASCII)


def _plain_number(cell: Cell) -> Decimal | None:
    """A text cell holding a plain, storable number, at the stored scale; None for anything else (which the
    full checks, numbers.to_decimal, then read or explain). The fast path for the common case."""
    if type(cell) is not str or not _PLAIN_NUMBER.fullmatch(cell):
        return None
    return Decimal(cell).quantize(STORED_QUANTUM, rounding=ROUND_HALF_UP)


def sentence(message: str) -> str:
    """A message as a sentence: its first letter upper-case (never lower-casing the rest, as
    str.capitalize would: 'NaN' stays NaN) and a full stop."""
    return f"{message[:1].upper()}{message[1:]}."


def _warnings(values: list[NewValue], raw: dict[tuple[str, int, str], RawRecord]) -> list[Issue]:
    warnings: list[Issue] = []
    percent_values: dict[str, list[NewValue]] = defaultdict(list)
    for item in values:
        if item.value is None or item.indicator.unit != "percent":
            continue
        percent_values[item.indicator.code].append(item)
        if item.value > 100:
            warnings.append(
                Issue(
                    f"{item.indicator.code} {item.unit.name} {item.period.label}: {item.value.normalize():f}% "
                    "is over 100%. Check it: it can be right (Dover SCS40 May-24 was 120.8%).",
                    item.sheet,
                    item.row,
                )
            )
        if item.numerator is not None and item.denominator is not None:
            record = raw.get((item.sheet, item.row, "ratio"))
            # Compare as written in the file, so the printed precision of each number counts.
            value_text, num_text, den_text = (
                (to_decimal(record.value, percent=True), to_decimal(record.numerator), to_decimal(record.denominator))
                if record
                else (item.value, item.numerator, item.denominator)
            )
            if ratio_disagrees(value_text, num_text, den_text, percent=True):
                warnings.append(
                    Issue(
                        f"{item.indicator.code} {item.unit.name} {item.period.label}: {num_text} / {den_text} "
                        f"is {num_text / den_text * 100:.1f}%, not {value_text}. Check the value, numerator and "
                        "denominator.",
                        item.sheet,
                        item.row,
                    )
                )
    for code, items in percent_values.items():
        if all(item.value is not None and item.value <= 1 for item in items):
            warnings.append(
                Issue(
                    f"Every value of {code} is at or below 1, but it is a percentage: were the cells formatted as "
                    "percent in Excel (0.68 for 68%)? Give percentages as numbers such as 67.9."
                )
            )
    return warnings


def validate(parsed: ParsedFile, catalogue: Catalogue, today: date) -> Checked:
    """Every record checked; errors and warnings located by sheet, row and column."""
    checked = Checked(errors=list(parsed.errors), warnings=list(parsed.warnings))
    checker = _RowChecker(catalogue, today, checked)
    first_seen: dict[Key, NewValue] = {}
    raw: dict[tuple[str, int, str], RawRecord] = {}
    for record in parsed.records:
        item = checker.check(record)
        if item is None:
            continue
        if (earlier := first_seen.get(item.key)) is not None:
            where = f"sheet {earlier.sheet} " if earlier.sheet != item.sheet else ""
            checker.error(
                record,
                record.period_column,
                f"{item.indicator.code} for {item.unit.name} in {item.period.label} is given twice: "
                f"also at {where}row {earlier.row}.",
            )
            continue
        first_seen[item.key] = item
        checked.values.append(item)
        if item.numerator is not None and item.denominator is not None:
            raw[(record.sheet, record.row, "ratio")] = record
    checked.warnings.extend(_warnings(checked.values, raw))
    return checked
