"""Next year's targets, floors and bands from one spreadsheet: validate -> preview -> commit.

The same file reading as the measurement upload (``parse.read_sheets``: size, zip-bomb and
format checks) and the same plain-words errors by sheet, row and column. A file with any error
cannot be committed; committing applies every row or none, and keeps each change in the
indicator's history with the upload's reason (indicators/definition_history.py). Rows only add or change
targets: a target the file leaves out stays as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from districts.models import ReportingUnit, UnitKind
from indicators.analysis.numbers import NumberError, listed, quoted
from indicators.analysis.periods import (
    Frequency,
    YearRangeError,
    checked_year,
    parse_year_label,
    year_label,
    year_start_month,
)
from indicators.analysis.rag import TargetError, TargetSpec, check_target
from indicators.audit_trail import record
from indicators.definition_history import TARGET_FIELDS, describe, field_changes, record_change, target_what
from indicators.models import LEVEL_WORDS, Indicator, Measurement, Target, TargetUpload
from indicators.spreadsheets import Cell as WrittenCell
from indicators.spreadsheets import xlsx_bytes

from .parse import Cell, FileProblem, Issue, header_text, is_blank, read_file, repeated_columns
from .validate import Catalogue, did_you_mean, number, reported_for_unit, sentence, text_of

TARGET_COLUMNS = (
    "indicator",
    "year",
    "applies_to",
    "target",
    "floor",
    "band_low",
    "band_high",
    "floor_band_low",
    "floor_band_high",
    "source",
)
OPTIONAL_COLUMNS = ("unit",)
REQUIRED_COLUMNS = ("indicator", "year", "target")
NUMBER_COLUMNS = ("target", "floor", "band_low", "band_high", "floor_band_low", "floor_band_high")
APPLIES_TO = {"all": Target.AppliesTo.ALL.value, "authority": Target.AppliesTo.AUTHORITY.value, "": "all"}


@dataclass(frozen=True)
class TargetRow:
    """One row of the file, checked: a target for an indicator, year and (optionally) one unit."""

    indicator: Indicator
    year: int
    unit: ReportingUnit | None
    values: dict[str, object]  # applies_to, target, floor, bands, source
    sheet: str
    row: int

    @property
    def key(self) -> tuple[int, int, int | None]:
        return (self.indicator.pk, self.year, self.unit.pk if self.unit else None)


@dataclass
class CheckedTargets:
    rows: list[TargetRow] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)


def year_of_cell(cell: Cell) -> int | None:
    """``2025-26`` or 2025 (the first calendar year), or None when the cell names no year.

    The period grammar's years (periods.checked_year): ASCII digits, from 1990 to next year; YearRangeError
    (naming the cell) for a year outside them."""
    text = text_of(cell)
    if text.isascii() and text.isdigit() and len(text) == 4:
        return checked_year(int(text), text, text)
    try:
        return parse_year_label(text)
    except YearRangeError:
        raise
    except ValueError:
        return None


class _Checker:
    def __init__(self, catalogue: Catalogue, checked: CheckedTargets) -> None:
        self.catalogue = catalogue
        self.checked = checked

    def error(self, sheet: str, row: int, column: str, message: str) -> None:
        self.checked.errors.append(Issue(message, sheet, row, column))

    def check(self, sheet: str, number_at: int, cells: dict[str, Cell]) -> TargetRow | None:
        failed = False

        def fail(column: str, message: str) -> None:
            nonlocal failed
            failed = True
            self.error(sheet, number_at, column, message)

        code = text_of(cells.get("indicator"))
        indicator = self.catalogue.indicators.get(code) if code else None
        if not code:
            fail("indicator", "The indicator code is missing.")
        elif indicator is None:
            closest = self.catalogue.closest_code(code)
            fail("indicator", f"Unknown indicator code {quoted(code)}.{did_you_mean(closest)}")
        try:
            year = year_of_cell(cells.get("year"))
        except YearRangeError as error:
            year = None
            fail("year", sentence(str(error)))
        else:
            if year is None:
                fail(
                    "year",
                    f"{quoted(text_of(cells.get('year')))} is not a year: give it as 2025-26 (or 2025)."
                    if not is_blank(cells.get("year"))
                    else "The year is missing: give it as 2025-26.",
                )
        applies_text = text_of(cells.get("applies_to")).lower()
        if applies_text not in APPLIES_TO:
            fail(
                "applies_to", f"applies_to {quoted(text_of(cells.get('applies_to')))} is neither 'all' nor 'authority'."
            )
        unit = self.unit(cells.get("unit"), indicator, fail)
        values: dict[str, object] = {
            "applies_to": APPLIES_TO.get(applies_text, "all"),
            "source": text_of(cells.get("source"))[:200],
        }
        for column in NUMBER_COLUMNS:
            cell = cells.get(column)
            if is_blank(cell):
                if column == "target":
                    fail("target", "The target is missing.")
                values[column] = None
                continue
            try:
                values[column] = number(cell, column.replace("_", " "))
            except NumberError as error:
                fail(column, sentence(str(error)))
        if failed or indicator is None or year is None:
            return None
        spec = TargetSpec(**{name: values[name] for name in NUMBER_COLUMNS})  # type: ignore[arg-type]
        try:
            check_target(spec, indicator.polarity)
        except TargetError as error:
            self.error(
                sheet,
                number_at,
                "floor" if "floor" in str(error) and "band" not in str(error) else "target",
                f"{indicator.code} {year_label(year)}: {error}.",
            )
            return None
        return TargetRow(indicator, year, unit, values, sheet, number_at)

    def unit(self, cell: Cell, indicator: Indicator | None, fail: Callable[[str, str], None]) -> ReportingUnit | None:
        name = text_of(cell)
        if not name:
            return None
        unit = self.catalogue.unit(name)
        if unit is None:
            closest = self.catalogue.closest_unit(name)
            fail("unit", f"Unknown unit {quoted(name)}.{did_you_mean(closest)}")
            return None
        if unit.kind == UnitKind.AREA:
            fail("unit", f"{unit.name} is an area, and areas take no target: give one for each district.")
            return None
        if indicator is not None and not reported_for_unit(indicator, unit):
            fail(
                "unit", f"{indicator.code} is reported for {LEVEL_WORDS[indicator.reported_for]}, not for {unit.name}."
            )
            return None
        return unit


def check_targets(filename: str, content: bytes, catalogue: Catalogue | None = None) -> CheckedTargets:
    """Every row checked; errors located by sheet, row and column. Raises FileProblem for an unreadable file."""
    checked = CheckedTargets()
    catalogue = catalogue or Catalogue.load()
    checker = _Checker(catalogue, checked)
    seen: dict[tuple[int, int, int | None], TargetRow] = {}
    found_header = False
    read = read_file(filename, content)  # hidden sheets holding data and unvouched formulas are errors
    checked.errors.extend(read.errors)
    for sheet, rows in read.sheets:
        kept = [(n, row) for n, row in enumerate(rows, start=1) if any(not is_blank(c) for c in row)]
        if not kept:
            continue
        found_header = True
        header_number, header_row = kept[0]
        names = [header_text(c).lower() for c in header_row]
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        unknown = [n for n in names if n and n not in TARGET_COLUMNS + OPTIONAL_COLUMNS]
        if twice := repeated_columns([header_text(c) for c in header_row]):
            checked.errors.append(
                Issue(
                    f"The header names {'; '.join(twice)}: each column may appear once. Remove "
                    "or rename the extra column.",
                    sheet=sheet,
                    row=header_number,
                )
            )
            continue
        if missing or unknown:
            parts = ([f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"] if missing else []) + (
                [f"unknown column{'s' if len(unknown) > 1 else ''} {listed(unknown)}"] if unknown else []
            )
            checked.errors.append(
                Issue(
                    f"The header has {' and '.join(parts)}. The targets file's columns are: "
                    f"{', '.join(TARGET_COLUMNS)} (and optionally unit, for a one-unit override).",
                    sheet=sheet,
                    row=header_number,
                )
            )
            continue
        for number_at, row in kept[1:]:
            cells = {name: (row[i] if i < len(row) else None) for i, name in enumerate(names) if name}
            item = checker.check(sheet, number_at, cells)
            if item is None:
                continue
            if (earlier := seen.get(item.key)) is not None:
                where = f"sheet {earlier.sheet} " if earlier.sheet != sheet else ""
                unit = f" for {item.unit.name}" if item.unit else ""
                checker.error(
                    sheet,
                    number_at,
                    "year",
                    f"{item.indicator.code} {year_label(item.year)}"
                    f"{unit} is given twice: also at {where}row {earlier.row}.",
                )
                continue
            seen[item.key] = item
            checked.rows.append(item)
    if not found_header and not checked.errors:
        raise FileProblem("The file is empty: it has no header and no rows.")
    if not checked.rows and not checked.errors:
        raise FileProblem("The file has a header but no targets.")
    return checked


# --- preview and commit ---------------------------------------------------------------------------


def stored_targets(rows: list[TargetRow]) -> dict[tuple[int, int, int | None], Target]:
    """The stored targets the rows would replace, in one query."""
    if not rows:
        return {}
    query = Target.objects.filter(
        indicator_id__in={r.indicator.pk for r in rows}, year__in={r.year for r in rows}
    ).select_related("unit")
    return {(t.indicator_id, t.year, t.unit_id): t for t in query}


def _as_target(row: TargetRow, into: Target | None = None) -> Target:
    target = into or Target(indicator=row.indicator, year=row.year, unit=row.unit)
    for name, value in row.values.items():
        setattr(target, name, value)
    return target


def preview_rows(rows: list[TargetRow]) -> tuple[list[dict[str, object]], dict[str, int]]:
    """What the file would change: one entry per new or changed target, with field: old -> new."""
    existing = stored_targets(rows)
    changes, counts = [], {"new": 0, "changed": 0, "unchanged": 0}
    for row in rows:
        old = existing.get(row.key)
        new = _as_target(row, Target(indicator=row.indicator, year=row.year, unit=row.unit))
        fields = field_changes(old, new, TARGET_FIELDS)
        kind = "new" if old is None else ("changed" if fields else "unchanged")
        counts[kind] += 1
        if kind != "unchanged":
            changes.append(
                {
                    "indicator": row.indicator.code,
                    "year": year_label(row.year),
                    "unit": row.unit.name if row.unit else "",
                    "kind": kind,
                    "changes": fields,
                    "sheet": row.sheet,
                    "row": row.row,
                }
            )
    return changes, counts


def save_check(upload: TargetUpload) -> TargetUpload:
    """Check the stored file and keep its errors or its preview. Nothing else changes."""
    try:
        checked = check_targets(upload.filename, bytes(upload.content))
    except FileProblem as problem:
        upload.errors, upload.preview, upload.counts = [Issue(str(problem)).as_dict()], [], {}
    else:
        upload.errors = [issue.as_dict() for issue in checked.errors]
        upload.preview, upload.counts = preview_rows(checked.rows) if not checked.errors else ([], {})
        upload.counts["rows"] = len(checked.rows)
    upload.state = TargetUpload.State.INVALID if upload.errors else TargetUpload.State.PREVIEWED
    upload.save(update_fields=["errors", "preview", "counts", "state"])
    return upload


class CommitRefused(Exception):
    """The upload has errors, is already committed, or its file no longer passes the checks."""


@transaction.atomic
def commit(upload_id: int, user: User | None) -> int:
    """Apply every row of a checked upload, or none; keep each change with the upload's reason.

    The file is checked again inside the transaction (definitions may have changed since the
    preview). Returns how many targets were added or changed.
    """
    upload = TargetUpload.objects.select_for_update().get(pk=upload_id)
    if upload.state != TargetUpload.State.PREVIEWED or upload.errors:
        raise CommitRefused("only a checked upload without errors can be committed, once")
    try:
        checked = check_targets(upload.filename, bytes(upload.content))
    except FileProblem as problem:
        raise CommitRefused(str(problem)) from None
    if checked.errors:
        save_check(upload)
        raise CommitRefused("the file no longer passes the checks: see its errors")
    existing = stored_targets(checked.rows)
    now, changed = timezone.now(), 0
    for row in checked.rows:
        old = existing.get(row.key)
        before = Target(**{f.attname: getattr(old, f.attname) for f in Target._meta.concrete_fields}) if old else None
        target = _as_target(row, old)
        fields = field_changes(before, target, TARGET_FIELDS)
        if not fields and old is not None:
            continue
        target.full_clean()
        target.save()
        record_change(
            row.indicator, target_what(target), fields, upload.reason, user, target=target, at=now, upload=upload
        )
        changed += 1
    upload.state = TargetUpload.State.COMMITTED
    upload.committed_at, upload.committed_by = now, user if user is not None and user.is_authenticated else None
    upload.save(update_fields=["state", "committed_at", "committed_by"])
    record(
        "targets.uploaded",
        user,
        about=upload,
        counts={"changed": changed, "rows": len(checked.rows)},
        detail=upload.reason,
    )
    return changed


# --- the year grid and the coming year's warning -----------------------------------------------------


def today() -> date:
    """Today in Europe/London, for deadlines only: the warnings before 1 April and 1 September that next
    year's targets are missing (a date in the calendar, not a default). Tests replace it."""
    return timezone.localdate()


def data_today() -> date:
    """'Now' as the data has it, for every default: the first day of the latest edition month (one query).

    The clock may run months (a demo, years) ahead of the figures: the grid and the targets template
    open on the year the figures are in. Only with no figures at all does the clock decide.
    """
    return Measurement.objects.latest_edition_month() or today()


def current_year(frequency: Frequency | str, today: date) -> int:
    """The first calendar year of the financial (monthly, quarterly) or academic (termly, annual) year."""
    start = year_start_month(Frequency(frequency))
    return today.year if today.month >= start else today.year - 1


def missing_next_year(
    indicators: list[Indicator], years_with_target: set[tuple[int, int]], today: date, warn_months: int = 3
) -> list[tuple[Indicator, int]]:
    """Indicators with no target for the coming year, within ``warn_months`` of its start.

    Financial years start on 1 April (monthly, quarterly indicators); academic years on
    1 September (termly, annual).
    """
    missing = []
    for indicator in indicators:
        if indicator.needs_no_target:
            continue  # data only: never rated, so nothing is missing
        coming = current_year(indicator.frequency, today) + 1
        starts = date(coming, year_start_month(indicator.frequency_enum), 1)
        months_before = (starts.year - today.year) * 12 + starts.month - today.month
        if 0 < months_before <= warn_months and (indicator.pk, coming) not in years_with_target:
            missing.append((indicator, coming))
    return missing


def coming_year_warnings(today: date) -> list[tuple[Indicator, int]]:
    """The warning the MI pages show: two queries."""
    indicators = list(Indicator.objects.all())
    years = set(Target.objects.filter(unit=None, year__gte=today.year - 1).values_list("indicator_id", "year"))
    return missing_next_year(indicators, years, today)


# --- the pre-filled template ---------------------------------------------------------------------------


def template_rows(today: date) -> list[list[WrittenCell]]:
    """Every indicator's target for this year, set to next year, for the MI team to edit."""
    rows: list[list[WrittenCell]] = [[*TARGET_COLUMNS, *OPTIONAL_COLUMNS]]
    indicators = list(Indicator.objects.all())
    targets = Target.objects.filter(year__gte=today.year - 1, year__lte=today.year).select_related("unit")
    by_key = {(t.indicator_id, t.year, t.unit_id): t for t in targets}
    for indicator in indicators:
        year = current_year(indicator.frequency, today)
        for (indicator_id, target_year, _), target in sorted(by_key.items(), key=lambda item: item[0][2] or 0):
            if indicator_id != indicator.pk or target_year != year:
                continue
            rows.append(
                [
                    indicator.code,
                    year_label(year + 1),
                    target.applies_to,
                    *(describe(getattr(target, name)) for name in NUMBER_COLUMNS),
                    target.source,
                    target.unit.name if target.unit is not None else "",
                ]
            )
    return rows


def render_template(today: date) -> bytes:
    """Numbers as numeric cells, blanks as empty cells, text (sources, unit names) formula-safe."""
    rows = [
        [Decimal(cell) if isinstance(cell, str) and _is_number(cell) else cell for cell in row]
        for row in template_rows(today)
    ]
    return xlsx_bytes([("targets", rows)])


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return text.strip() != "" and not text.strip().isalpha()
