"""Setting up scorecards from spreadsheets: scorecards, geography, aliases, indicators, memberships,
targets and benchmarks (DESIGN.md, *Setting up a scorecard*). validate -> preview -> commit.

The set is a folder of CSV files named after the sheets (``indicators.csv``) or one ``.xlsx`` whose
sheets have those names; every sheet but ``indicators`` may be absent. Checking names every problem
by file, row and column in plain words; the preview is the commit run inside a transaction that is
then rolled back, so what it shows is exactly what a commit does. A commit applies everything or
nothing, records every change it makes (to a scorecard, a reporting unit, an alias, an indicator, its
place in a scorecard, its targets and benchmarks) in the definition history with the reason given, and
is one audit event. Importing the same files again changes and records nothing. Rows add or change
records; an indicator the file lists leaves the scorecards its row no longer names: its membership ends
after the year the figures have reached (``to_year``), so earlier editions still show it, and its values
stay; records the file does not mention stay as they are.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from districts.models import ReportingUnit, TeamService, UnitAlias, UnitKind
from indicators.analysis.benchmarks import BenchmarkDateError, benchmark_as_at
from indicators.analysis.direction import ComparesWith
from indicators.analysis.numbers import NumberError, to_decimal
from indicators.analysis.periods import (
    Frequency,
    Period,
    PeriodError,
    month,
    parse_period,
    parse_year_label,
    year_label,
)
from indicators.analysis.rag import Polarity, TargetError, TargetSpec, check_target
from indicators.analysis.rating import RatingRule, RuleError, ToleranceKind, check_rule
from indicators.audit_trail import record
from indicators.definition_history import (
    alias_what,
    describe,
    field_changes,
    record_change,
    scorecard_what,
    target_what,
    unit_what,
    years_as_labels,
)
from indicators.models import (
    Benchmark,
    DataPeriod,
    DefinitionUpload,
    Indicator,
    Measurement,
    ReportedFor,
    Scorecard,
    ScorecardMembership,
    Target,
)

from .parse import Cell, FileProblem, Issue, header_text, is_blank, read_sheets
from .validate import text_of

# Required and optional columns per sheet. Column names are a public interface: they never change.
SHEETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "scorecards": (
        ("code", "title", "organisation"),
        ("directorate", "cadence", "trend_periods", "attribution", "default", "direction"),
    ),
    "geography": (("unit", "kind"), ("area", "gss_code", "covers", "service")),
    "aliases": (("alias", "unit"), ()),
    "indicators": (
        ("code", "name", "section", "table", "polarity", "data_period", "frequency", "reported_for", "unit"),
        (
            "printed_code",
            "decimals",
            "dot_compares_with",
            "definition",
            "source",
            "benchmark_label",
            "england_label",
            "notes",
            "qpr",
            "scorecards",
            "rating",
            "tolerance",
            "tolerance_kind",
            "activity",
        ),
    ),
    "memberships": (("scorecard", "indicator"), ("section", "table", "order", "from_year", "to_year")),
    "targets": (
        ("indicator", "year"),
        (
            "applies_to",
            "target",
            "floor",
            "band_low",
            "band_high",
            "floor_band_low",
            "floor_band_high",
            "source",
            "unit",
            "lower_threshold",
            "upper_threshold",
        ),
    ),
    "benchmarks": (("indicator", "comparator", "label", "value"), ("as_at", "source")),
}
QPR_CODE = "QPR"  # the old ``qpr`` column means membership of the scorecard with this code
UNITS_OF_MEASURE = ("percent", "rate", "number", "days", "weeks", "score", "currency")
SERVICES = {
    **{code: code for code in TeamService.values},
    **{label.lower(): code for code, label in TeamService.choices},
}
INDICATOR_FIELDS = (
    "printed_code",
    "name",
    "section",
    "table",
    "polarity",
    "data_period",
    "frequency",
    "reported_for",
    "unit",
    "decimals",
    "dot_compares_with",
    "rating",
    "tolerance",
    "tolerance_kind",
    "activity",
    "definition",
    "source",
    "benchmark_label",
    "england_label",
    "notes",
    "display_order",
)
TARGET_FIELDS = (
    "applies_to",
    "target",
    "floor",
    "band_low",
    "band_high",
    "floor_band_low",
    "floor_band_high",
    "lower_threshold",
    "upper_threshold",
    "source",
)
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass
class Sheet:
    name: str  # scorecards, indicators, …
    where: str  # what messages call it: indicators.csv, or the workbook's sheet name
    rows: list[tuple[int, dict[str, Cell]]]  # (spreadsheet row, {column: cell})


@dataclass
class Report:
    """The outcome of a check or a commit: errors, or the changes (as printed lines) and their counts."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, what: str, how: str, line: str) -> None:
        self.counts[what][how] += 1
        self.changes.append(line)

    def plain_counts(self) -> dict[str, dict[str, int]]:
        return {what: dict(hows) for what, hows in self.counts.items()}


# --- reading ------------------------------------------------------------------------------------


def _sheet(name: str, where: str, rows: list[list[Cell]], report: Report) -> Sheet | None:
    rows = list(rows)
    header_at = next((i for i, row in enumerate(rows) if any(not is_blank(c) for c in row)), None)
    if header_at is None:
        report.errors.append(Issue("The sheet is empty: give a header row, or leave the sheet out.", where))
        return None
    header = [header_text(cell) for cell in rows[header_at]]
    required, optional = SHEETS[name]
    known = set(required) | set(optional)
    problems = False
    for column in required:
        if column not in header:
            report.errors.append(
                Issue(
                    f"The column '{column}' is missing (the {name} sheet needs {', '.join(required)}).",
                    where,
                    header_at + 1,
                )
            )
            problems = True
    for column in header:
        if column and column not in known:
            report.errors.append(
                Issue(
                    f"'{column}' is not a column of the {name} sheet: it takes {', '.join((*required, *optional))}.",
                    where,
                    header_at + 1,
                    column,
                )
            )
            problems = True
    if problems:
        return None
    records = []
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if all(is_blank(cell) for cell in row):
            continue
        records.append(
            (number, {column: (row[i] if i < len(row) else None) for i, column in enumerate(header) if column})
        )
    return Sheet(name, where, records)


def read_folder(path: Path, report: Report) -> list[Sheet]:
    """The sheets of a folder of CSV files; other files (the measurements) are not definitions and are left."""
    sheets = []
    for name in SHEETS:
        file = path / f"{name}.csv"
        if file.is_file():
            sheets.extend(_read_one(file.name, file.read_bytes(), report))
    return _all_there(sheets, report)


def read_files(files: list[tuple[str, bytes]], report: Report) -> list[Sheet]:
    """Sheets from uploaded files: CSV files named after their sheet, or a workbook whose sheets are named so."""
    sheets: list[Sheet] = []
    for filename, content in files:
        sheets.extend(_read_one(filename, content, report))
    return _all_there(sheets, report)


def _read_one(filename: str, content: bytes, report: Report) -> list[Sheet]:
    """One CSV file (named after its sheet) or one workbook (sheets named so)."""
    sheets: list[Sheet] = []
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0].strip().lower()
    try:
        read = read_sheets(filename, content)
    except FileProblem as problem:
        report.errors.append(Issue(str(problem), filename))
        return sheets
    if filename.lower().endswith(".csv"):
        if stem not in SHEETS:
            report.errors.append(
                Issue(
                    f"'{filename}' is not one of the definition files: name it after its "
                    f"sheet ({', '.join(f'{n}.csv' for n in SHEETS)}).",
                    filename,
                )
            )
            return sheets
        sheet = _sheet(stem, filename, read[0][1], report)
        if sheet:
            sheets.append(sheet)
        return sheets
    for sheet_name, rows in read:
        name = sheet_name.strip().lower()
        if name not in SHEETS:
            report.warnings.append(f"The sheet '{sheet_name}' is not a definitions sheet, so it was not read.")
            continue
        sheet = _sheet(name, sheet_name, rows, report)
        if sheet:
            sheets.append(sheet)
    return sheets


def _all_there(sheets: list[Sheet], report: Report) -> list[Sheet]:
    names = [sheet.name for sheet in sheets]
    for name in {n for n in names if names.count(n) > 1}:
        report.errors.append(Issue(f"The {name} sheet is given twice: give each sheet once.", name))
    if "indicators" not in names and not report.errors:
        report.errors.append(
            Issue("There is no indicators sheet (indicators.csv): it is the one sheet every set needs.")
        )
    return sheets


# --- checking -------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What the files ask for, checked, keyed by the natural keys the commit matches on."""

    scorecards: dict[str, dict[str, Any]] = field(default_factory=dict)
    units: dict[str, dict[str, Any]] = field(default_factory=dict)  # in file order
    covers: dict[str, list[str]] = field(default_factory=dict)  # team -> districts
    aliases: dict[str, str] = field(default_factory=dict)
    indicators: dict[str, dict[str, Any]] = field(default_factory=dict)
    member_of: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # indicator -> scorecard -> fields
    extra_memberships: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    targets: dict[tuple[str, int, str | None, Period | None], dict[str, Any]] = field(default_factory=dict)
    benchmarks: dict[tuple[str, str, date], dict[str, Any]] = field(default_factory=dict)
    where: dict[object, str] = field(default_factory=dict)  # key -> "targets.csv line 4", for model errors


class _Checker:
    def __init__(self, sheets: list[Sheet], report: Report) -> None:
        self.sheets = {sheet.name: sheet for sheet in sheets}
        self.report = report
        self.plan = Plan()
        self.stored_scorecards = {s.code: s for s in Scorecard.objects.all()}
        self.stored_units = {u.name: u for u in ReportingUnit.objects.all()}
        self.stored_indicators = {i.code: i for i in Indicator.objects.all()}

    def error(self, sheet: Sheet, row: int | None, column: str, message: str) -> None:
        self.report.errors.append(Issue(message, sheet.where, row, column))

    # Cells -----------------------------------------------------------------------------------

    def text(self, cells: dict[str, Cell], column: str) -> str:
        return text_of(cells.get(column))

    def required(self, sheet: Sheet, row: int, cells: dict[str, Cell], column: str) -> str | None:
        value = self.text(cells, column)
        if not value:
            self.error(sheet, row, column, f"The {column.replace('_', ' ')} is blank: it is needed.")
            return None
        return value

    def choice(
        self,
        sheet: Sheet,
        row: int,
        cells: dict[str, Cell],
        column: str,
        allowed: dict[str, str],
        default: str | None = None,
    ) -> str | None:
        value = self.text(cells, column)
        if not value and default is not None:
            return default
        found = allowed.get(value.lower())
        if found is None:
            shown = ", ".join(sorted({v for v in allowed.values() if v}))
            self.error(
                sheet,
                row,
                column,
                f"'{value}' is not a {column.replace('_', ' ')}: use one of {shown}."
                if value
                else f"The {column.replace('_', ' ')} is blank: use one of {shown}.",
            )
        return found

    def number(self, sheet: Sheet, row: int, cells: dict[str, Cell], column: str) -> Decimal | None:
        cell = cells.get(column)
        if is_blank(cell):
            return None
        try:
            return to_decimal(cell)
        except NumberError:
            self.error(sheet, row, column, f"'{text_of(cell)}' is not a number.")
            return None

    def whole(
        self,
        sheet: Sheet,
        row: int,
        cells: dict[str, Cell],
        column: str,
        default: int | None = None,
        low: int = 0,
        high: int = 10_000,
    ) -> int | None:
        value = self.number(sheet, row, cells, column)
        if value is None:
            return default
        if value != value.to_integral_value() or not low <= value <= high:
            self.error(
                sheet, row, column, f"'{text_of(cells.get(column))}' is not a whole number from {low} to {high}."
            )
            return default
        return int(value)

    def flag(self, sheet: Sheet, row: int, cells: dict[str, Cell], column: str) -> bool:
        value = self.text(cells, column).lower()
        if value in ("", "0", "no", "false"):
            return False
        if value in ("1", "yes", "true"):
            return True
        self.error(sheet, row, column, f"'{value}' is neither 1 (yes) nor 0 or blank (no).")
        return False

    def year(self, sheet: Sheet, row: int, cells: dict[str, Cell], column: str) -> int | None:
        value = self.text(cells, column)
        if not value:
            return None
        year = int(value) if value.isdigit() and len(value) == 4 else None
        if year is None:
            try:
                year = parse_year_label(value)
            except PeriodError:
                year = None
        if year is None:
            self.error(sheet, row, column, f"'{value}' is not a year: give it as 2024-25.")
        return year

    # Which names exist, in the files or already stored -----------------------------------------

    def scorecard_known(self, code: str) -> bool:
        return code in self.plan.scorecards or code in self.stored_scorecards

    def unit_kind(self, name: str) -> str | None:
        if name in self.plan.units:
            return self.plan.units[name]["kind"]
        unit = self.stored_units.get(name)
        return unit.kind if unit else None

    def indicator_facts(self, code: str) -> dict[str, Any] | None:
        """The indicator's frequency, polarity, activity flag: as the files set them, else as stored."""
        if code in self.plan.indicators:
            return self.plan.indicators[code]
        stored = self.stored_indicators.get(code)
        if stored is None:
            return None
        return {"frequency": stored.frequency, "polarity": stored.polarity, "activity": stored.activity}

    # Sheets ----------------------------------------------------------------------------------

    def check(self) -> Plan:
        for name in SHEETS:
            sheet = self.sheets.get(name)
            if sheet is not None:
                getattr(self, f"check_{name}")(sheet)
        if "indicators" in self.sheets:
            self.check_default()
        return self.plan

    def check_scorecards(self, sheet: Sheet) -> None:
        cadences = {c: c for c in Scorecard.Cadence.values}
        directions = {c.value: c.value for c in ComparesWith} | {"": ""}
        for row, cells in sheet.rows:
            code = self.required(sheet, row, cells, "code")
            title = self.required(sheet, row, cells, "title")
            organisation = self.required(sheet, row, cells, "organisation")
            if code and not CODE.match(code):
                self.error(
                    sheet,
                    row,
                    "code",
                    f"'{code}' cannot be a scorecard code: use letters, digits, - and _ "
                    "only (it goes in web addresses).",
                )
                continue
            if code in self.plan.scorecards:
                self.error(sheet, row, "code", f"The scorecard {code} is given twice.")
                continue
            values = {
                "title": title,
                "organisation": organisation,
                "directorate": self.text(cells, "directorate"),
                "cadence": self.choice(sheet, row, cells, "cadence", cadences, default="monthly"),
                "trend_periods": self.whole(sheet, row, cells, "trend_periods", low=2, high=60),
                "attribution": self.text(cells, "attribution"),
                "direction": self.choice(sheet, row, cells, "direction", directions, default=""),
                "is_default": self.flag(sheet, row, cells, "default"),
            }
            if code:
                self.plan.scorecards[code] = values
                self.plan.where[("scorecard", code)] = f"{sheet.where} line {row}"
        defaults = [code for code, values in self.plan.scorecards.items() if values["is_default"]]
        if len(defaults) > 1:
            self.error(
                sheet,
                None,
                "default",
                f"{' and '.join(defaults)} are both marked default: exactly one scorecard is the default.",
            )

    def check_default(self) -> None:
        if any(v["is_default"] for v in self.plan.scorecards.values()):
            return
        stored = [s for s in self.stored_scorecards.values() if s.is_default]
        if not stored:
            where = self.sheets.get("scorecards") or self.sheets["indicators"]
            self.error(
                where,
                None,
                "default",
                "No scorecard is the default (the one the site's front pages "
                "show): mark one with 1 in the scorecards sheet's default column.",
            )

    def check_geography(self, sheet: Sheet) -> None:
        kinds = {k: k for k in UnitKind.values}
        rows = []
        for row, cells in sheet.rows:
            name = self.required(sheet, row, cells, "unit")
            kind = self.choice(sheet, row, cells, "kind", kinds)
            if name and name in self.plan.units:
                self.error(sheet, row, "unit", f"The unit '{name}' is given twice.")
                continue
            if name and kind:
                self.plan.units[name] = {"kind": kind, "gss_code": self.text(cells, "gss_code")}
                self.plan.where[("unit", name)] = f"{sheet.where} line {row}"
                rows.append((row, cells, name, kind))
        authorities = [name for name, v in self.plan.units.items() if v["kind"] == UnitKind.AUTHORITY]
        if len(authorities) != 1:
            self.error(
                sheet,
                None,
                "kind",
                f"The geography needs exactly one authority row (the organisation's "
                f"own reporting unit); it has {len(authorities)}.",
            )
        stored_authority = next((u.name for u in self.stored_units.values() if u.kind == UnitKind.AUTHORITY), None)
        if authorities and stored_authority and authorities[0] != stored_authority:
            self.error(
                sheet,
                None,
                "unit",
                f"The authority is already '{stored_authority}': this install holds "
                f"one organisation, so '{authorities[0]}' cannot be added.",
            )
        for order, (row, cells, name, kind) in enumerate(rows):
            values = self.plan.units[name]
            values["display_order"] = order
            area = self.text(cells, "area")
            values["area"] = area
            if area:
                if kind != UnitKind.DISTRICT:
                    self.error(sheet, row, "area", f"Only districts belong to an area; '{name}' is a {kind}.")
                elif self.unit_kind(area) != UnitKind.AREA:
                    self.error(
                        sheet,
                        row,
                        "area",
                        f"The area '{area}' is not in the geography: add a row for it with kind area.",
                    )
            service_text = self.text(cells, "service")
            service = SERVICES.get(service_text.lower()) if service_text else ""
            if service is None:
                self.error(
                    sheet,
                    row,
                    "service",
                    f"'{service_text}' is not a team service: use {' or '.join(TeamService.values)}.",
                )
            elif kind == UnitKind.TEAM and not service:
                self.error(
                    sheet, row, "service", f"The team '{name}' needs its service ({' or '.join(TeamService.values)})."
                )
            values["service"] = service or ""
            covers = [part.strip() for part in self.text(cells, "covers").split(";") if part.strip()]
            if kind == UnitKind.TEAM:
                for district in covers:
                    if self.unit_kind(district) != UnitKind.DISTRICT:
                        self.error(sheet, row, "covers", f"'{district}' is not a district in the geography.")
                self.plan.covers[name] = covers

    def check_aliases(self, sheet: Sheet) -> None:
        for row, cells in sheet.rows:
            alias, unit = self.required(sheet, row, cells, "alias"), self.required(sheet, row, cells, "unit")
            if alias and unit:
                if self.unit_kind(unit) is None:
                    self.error(sheet, row, "unit", f"'{unit}' is not a unit in the geography.")
                elif alias.lower() in {a.lower() for a in self.plan.aliases}:
                    self.error(sheet, row, "alias", f"The alias '{alias}' is given twice.")
                else:
                    self.plan.aliases[alias] = unit

    def check_indicators(self, sheet: Sheet) -> None:
        polarities = {p.value.lower(): p.value for p in Polarity}
        data_periods = {p.lower(): p for p in DataPeriod.values}
        frequencies = {f.value: f.value for f in Frequency}
        levels = {r.lower(): r for r in ReportedFor.values}
        measures = {u: u for u in UNITS_OF_MEASURE}
        methods = {c.value: c.value for c in ComparesWith}
        rules = {r.value: r.value for r in RatingRule}
        kinds = {k.value: k.value for k in ToleranceKind}
        for order, (row, cells) in enumerate(sheet.rows):
            code = self.required(sheet, row, cells, "code")
            if code and code in self.plan.indicators:
                self.error(sheet, row, "code", f"The indicator {code} is given twice.")
                continue
            values: dict[str, Any] = {
                "printed_code": self.text(cells, "printed_code"),
                "name": self.required(sheet, row, cells, "name"),
                "section": self.required(sheet, row, cells, "section"),
                "table": self.required(sheet, row, cells, "table"),
                "polarity": self.choice(sheet, row, cells, "polarity", polarities),
                "data_period": self.choice(sheet, row, cells, "data_period", data_periods),
                "frequency": self.choice(sheet, row, cells, "frequency", frequencies),
                "reported_for": self.choice(sheet, row, cells, "reported_for", levels),
                "unit": self.choice(sheet, row, cells, "unit", measures),
                "decimals": self.whole(sheet, row, cells, "decimals", default=1, high=6),
                "dot_compares_with": self.choice(
                    sheet, row, cells, "dot_compares_with", methods, default=ComparesWith.PREVIOUS_PERIOD.value
                ),
                "rating": self.choice(sheet, row, cells, "rating", rules, default=RatingRule.FLOOR.value),
                "tolerance": self.number(sheet, row, cells, "tolerance"),
                "tolerance_kind": self.choice(
                    sheet, row, cells, "tolerance_kind", kinds, default=ToleranceKind.PERCENT.value
                ),
                "activity": self.flag(sheet, row, cells, "activity"),
                "definition": self.text(cells, "definition"),
                "source": self.text(cells, "source"),
                "benchmark_label": self.text(cells, "benchmark_label"),
                "england_label": self.text(cells, "england_label"),
                "notes": self.text(cells, "notes"),
                "display_order": order,
            }
            if values["rating"] and values["tolerance_kind"]:
                try:
                    check_rule(values["rating"], values["tolerance"], values["tolerance_kind"])
                except RuleError as error:
                    self.error(sheet, row, "tolerance", f"{code}: {error}.")
            if values["activity"] and values["rating"] not in (RatingRule.NONE, RatingRule.FLOOR):
                self.error(
                    sheet,
                    row,
                    "rating",
                    f"{code} is an activity indicator, which is never rated: leave its rating blank or none.",
                )
            codes = [part.strip() for part in self.text(cells, "scorecards").split(";") if part.strip()]
            if self.flag(sheet, row, cells, "qpr") and QPR_CODE not in codes:
                codes.append(QPR_CODE)
            default = next((c for c, v in self.plan.scorecards.items() if v["is_default"]), None) or next(
                (s.code for s in self.stored_scorecards.values() if s.is_default), None
            )
            if not self.text(cells, "scorecards") and default:
                codes.insert(0, default)
            for scorecard in codes:
                if not self.scorecard_known(scorecard):
                    column = (
                        "qpr"
                        if scorecard == QPR_CODE and scorecard not in self.text(cells, "scorecards")
                        else "scorecards"
                    )
                    self.error(
                        sheet, row, column, f"The scorecard {scorecard} is not defined: add it to the scorecards sheet."
                    )
            if code:
                self.plan.indicators[code] = values
                self.plan.where[("indicator", code)] = f"{sheet.where} line {row}"
                self.plan.member_of[code] = {
                    scorecard: {
                        "section": values["section"],
                        "table": values["table"],
                        "order": order,
                        "from_year": None,
                        "to_year": None,
                    }
                    for scorecard in dict.fromkeys(codes)
                }

    def check_memberships(self, sheet: Sheet) -> None:
        for row, cells in sheet.rows:
            scorecard = self.required(sheet, row, cells, "scorecard")
            code = self.required(sheet, row, cells, "indicator")
            if scorecard and not self.scorecard_known(scorecard):
                self.error(
                    sheet,
                    row,
                    "scorecard",
                    f"The scorecard {scorecard} is not defined: add it to the scorecards sheet.",
                )
            facts = self.indicator_facts(code) if code else None
            if code and facts is None:
                self.error(sheet, row, "indicator", f"There is no indicator {code}: add it to the indicators sheet.")
            from_year = self.year(sheet, row, cells, "from_year")
            to_year = self.year(sheet, row, cells, "to_year")
            if from_year is not None and to_year is not None and to_year < from_year:
                self.error(sheet, row, "to_year", "The last year is before the first.")
            if not (scorecard and code and facts):
                continue
            base = self.plan.member_of.get(code, {}).get(scorecard) or {}
            indicator = self.plan.indicators.get(code)
            if not indicator:  # not in the files, so the facts came from the stored indicator
                stored = self.stored_indicators[code]
                indicator = {
                    "section": stored.section,
                    "table": stored.table,
                    "display_order": stored.display_order,
                }
            values = {
                "section": self.text(cells, "section") or base.get("section") or indicator["section"],
                "table": self.text(cells, "table") or base.get("table") or indicator["table"],
                "order": self.whole(sheet, row, cells, "order", default=base.get("order", indicator["display_order"])),
                "from_year": from_year,
                "to_year": to_year,
            }
            if code in self.plan.member_of:
                self.plan.member_of[code][scorecard] = values
            else:
                self.plan.extra_memberships[(scorecard, code)] = values

    def check_targets(self, sheet: Sheet) -> None:
        applies = {"all": Target.AppliesTo.ALL.value, "authority": Target.AppliesTo.AUTHORITY.value}
        for row, cells in sheet.rows:
            code = self.required(sheet, row, cells, "indicator")
            facts = self.indicator_facts(code) if code else None
            if code and facts is None:
                self.error(
                    sheet,
                    row,
                    "indicator",
                    f"There is no indicator {code}: add it to the indicators sheet before giving it a target.",
                )
            label = self.required(sheet, row, cells, "year")
            unit = self.text(cells, "unit") or None
            if unit is not None and self.unit_kind(unit) in (None, UnitKind.AREA):
                self.error(
                    sheet,
                    row,
                    "unit",
                    f"'{unit}' is not a reporting unit that holds values (a district, team or the authority).",
                )
            values: dict[str, Any] = {
                "applies_to": self.choice(sheet, row, cells, "applies_to", applies, default="all"),
                "source": self.text(cells, "source"),
            }
            for column in TARGET_FIELDS:
                if column not in ("applies_to", "source"):
                    values[column] = self.number(sheet, row, cells, column)
            if not (code and facts and label):
                continue
            year, period = self.target_year(sheet, row, label, facts["frequency"])
            if year is None:
                continue
            shown = f"{code} {period.label if period else label}"
            has_range = values["lower_threshold"] is not None or values["upper_threshold"] is not None
            if has_range and not facts["activity"]:
                self.error(
                    sheet,
                    row,
                    "lower_threshold",
                    f"{shown}: an expected range is for activity indicators only (activity 1 in the indicators sheet).",
                )
            if values["target"] is None and not has_range:
                self.error(sheet, row, "target", f"{shown}: the target is blank.")
            if (
                has_range
                and None not in (values["lower_threshold"], values["upper_threshold"])
                and values["lower_threshold"] > values["upper_threshold"]
            ):
                self.error(sheet, row, "upper_threshold", f"{shown}: the expected range runs backwards.")
            if values["target"] is not None and facts["polarity"]:
                spec = TargetSpec(
                    **{
                        k: values[k]
                        for k in ("target", "floor", "band_low", "band_high", "floor_band_low", "floor_band_high")
                    }
                )
                try:
                    check_target(spec, facts["polarity"])
                except TargetError as error:
                    self.error(sheet, row, "target", f"{shown}: {error}.")
            key = (code, year, unit, period)
            if key in self.plan.targets:
                self.error(sheet, row, "year", f"{shown}{' for ' + unit if unit else ''}: the target is given twice.")
                continue
            self.plan.targets[key] = values
            self.plan.where[("target", key)] = f"{sheet.where} line {row}"

    def target_year(
        self, sheet: Sheet, row: int, label: str, frequency: str | None
    ) -> tuple[int | None, Period | None]:
        """``2024-25`` -> (2024, None); a period label (``Q1 22-23``, ``Oct-24``) -> (its year, the period)."""
        try:
            year = parse_year_label(label)
        except PeriodError:
            year = None
        if year is not None:
            return year, None
        if label.isdigit() and len(label) == 4:
            return int(label), None
        if not frequency:
            return None, None
        try:
            period = parse_period(label, frequency)
        except PeriodError as error:
            self.error(
                sheet,
                row,
                "year",
                f"'{label}' is neither a year (2024-25) nor one of the indicator's periods: {error}.",
            )
            return None, None
        return period.year_start_year, period

    def check_benchmarks(self, sheet: Sheet) -> None:
        comparators = {c.lower(): c for c in Benchmark.Comparator.values}
        for row, cells in sheet.rows:
            code = self.required(sheet, row, cells, "indicator")
            facts = self.indicator_facts(code) if code else None
            if code and facts is None:
                self.error(sheet, row, "indicator", f"There is no indicator {code}: add it to the indicators sheet.")
            comparator = self.choice(sheet, row, cells, "comparator", comparators)
            label = self.required(sheet, row, cells, "label")
            value = self.number(sheet, row, cells, "value")
            if is_blank(cells.get("value")):
                self.error(sheet, row, "value", "The value is blank.")
            as_at = self.as_at(sheet, row, cells, label, facts["frequency"] if facts else None)
            if code and facts and comparator and label and value is not None and as_at is not None:
                key = (code, comparator, as_at)
                if key in self.plan.benchmarks:
                    self.error(sheet, row, "label", f"{code}: the {comparator} benchmark as at {as_at} is given twice.")
                    continue
                self.plan.benchmarks[key] = {"label": label, "value": value, "source": self.text(cells, "source")}

    def as_at(
        self, sheet: Sheet, row: int, cells: dict[str, Cell], label: str | None, frequency: str | None
    ) -> date | None:
        cell = cells.get("as_at")
        if isinstance(cell, datetime):
            return cell.date()
        if isinstance(cell, date):
            return cell
        text = text_of(cell)
        if text:
            try:
                return date.fromisoformat(text)
            except ValueError:
                self.error(sheet, row, "as_at", f"'{text}' is not a date: give it as 2023-12-31.")
                return None
        if not label or not frequency:
            return None
        try:
            return benchmark_as_at(label, frequency)
        except BenchmarkDateError as error:
            self.error(sheet, row, "label", f"{error}: or give the date in the as_at column.")
            return None


def check_sheets(sheets: list[Sheet], report: Report) -> Plan:
    return _Checker(sheets, report).check()


# --- applying ------------------------------------------------------------------------------------


class _Rollback(Exception):
    """Raised inside the preview's transaction to undo it."""


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, models.Model) or isinstance(new, models.Model):
        return getattr(old, "pk", None) == getattr(new, "pk", None)
    return describe(old) == describe(new) if isinstance(old, Decimal) or isinstance(new, Decimal) else old == new


_Model = TypeVar("_Model", bound=models.Model)


class _Applier:
    def __init__(self, plan: Plan, report: Report, reason: str, user: User | None, history: bool = True) -> None:
        self.plan, self.report, self.reason, self.user = plan, report, reason, user
        self.history = history
        self.now = timezone.now()

    def record(
        self,
        indicator: Indicator | None,
        what: str,
        changes: dict[str, list[str]],
        target: Target | None = None,
        scorecard: Scorecard | None = None,
        unit: ReportingUnit | None = None,
    ) -> None:
        """One history entry; the commit as a whole is one audit event (run())."""
        if self.history:
            record_change(
                indicator,
                what,
                changes,
                self.reason,
                self.user,
                target=target,
                at=self.now,
                scorecard=scorecard,
                unit=unit,
                audited=False,
            )

    def save(self, instance: models.Model, where: str, exclude: list[str] | None = None) -> bool:
        try:
            instance.full_clean(exclude=exclude)
        except ValidationError as error:
            self.report.errors.append(Issue(f"{where}: {'; '.join(error.messages)}"))
            return False
        instance.save()
        return True

    def upsert(
        self, model: type[_Model], lookup: dict[str, Any], values: dict[str, Any], where: str
    ) -> tuple[_Model | None, str, dict[str, list[str]]]:
        """(instance, 'new' | 'changed' | '', {field: [old, new]})."""
        instance = model._default_manager.filter(**lookup).first()
        before = None
        if instance is None:
            instance, how = model(**lookup), "new"
        elif all(_same(getattr(instance, name), value) for name, value in values.items()):
            return instance, "", {}
        else:
            how = "changed"
            before = model._default_manager.get(pk=instance.pk)
        for name, value in values.items():
            setattr(instance, name, value)
        changes = field_changes(before, instance, values.keys())
        if not self.save(instance, where):
            return None, "", {}
        return instance, how, changes

    def apply(self) -> None:
        self.apply_scorecards()
        self.apply_geography()
        indicators = self.apply_indicators()
        self.apply_memberships(indicators)
        self.apply_targets()
        self.apply_benchmarks()

    def apply_scorecards(self) -> None:
        plan = self.plan
        if any(values["is_default"] for values in plan.scorecards.values()):
            new_default = next(code for code, values in plan.scorecards.items() if values["is_default"])
            for old in Scorecard.objects.filter(is_default=True).exclude(code=new_default):
                old.is_default = False
                old.save(update_fields=["is_default"])
                self.report.count("scorecards", "changed", f"scorecard {old.code}: no longer the default")
                self.record(None, scorecard_what(old), {"is_default": ["yes", "no"]}, scorecard=old)
        for code, values in plan.scorecards.items():
            instance, how, changes = self.upsert(Scorecard, {"code": code}, values, plan.where[("scorecard", code)])
            if instance is not None and how:
                self.report.count(
                    "scorecards", how, f"scorecard {code}: " + ("added" if how == "new" else _changed_words(changes))
                )
                if how == "new":
                    changes = field_changes(None, instance, ("code", *values))
                self.record(None, scorecard_what(instance), changes, scorecard=instance)

    def apply_geography(self) -> None:
        plan = self.plan
        # Areas first, so districts can name theirs.
        ordered = sorted(plan.units.items(), key=lambda item: item[1]["kind"] != UnitKind.AREA)
        # One history entry per unit: its fields and, for a team, the districts it serves (set once all exist).
        entries: dict[str, tuple[ReportingUnit, dict[str, list[str]]]] = {}
        for name, values in ordered:
            fields = dict(values)
            area = fields.pop("area")
            fields["area"] = ReportingUnit.objects.filter(name=area).first() if area else None
            unit, how, changes = self.upsert(ReportingUnit, {"name": name}, fields, plan.where[("unit", name)])
            if unit is not None and how:
                self.report.count(
                    "units", how, f"unit {name}: " + ("added" if how == "new" else _changed_words(changes))
                )
                entries[name] = (unit, changes if how == "changed" else field_changes(None, unit, ("name", *fields)))
        for team_name, districts in plan.covers.items():
            team = ReportingUnit.objects.filter(name=team_name).first()
            if team is None:
                continue
            served = list(ReportingUnit.objects.filter(name__in=districts))
            before = list(team.districts_served.all())
            if set(before) != set(served):
                team.districts_served.set(served)
                self.report.count("units", "changed", f"unit {team_name}: serves {'; '.join(districts)}")
                covers = ["; ".join(sorted(u.name for u in before)), "; ".join(sorted(u.name for u in served))]
                entries.setdefault(team_name, (team, {}))[1]["covers"] = covers
        for unit, changes in entries.values():
            self.record(None, unit_what(unit), changes, unit=unit)
        for alias, unit_name in plan.aliases.items():
            unit = ReportingUnit.objects.get(name=unit_name)
            stored = UnitAlias.objects.filter(alias__iexact=alias).select_related("unit").first()
            if stored is not None and stored.unit_id == unit.pk:
                continue
            was = stored.unit.name if stored is not None else ""
            instance = stored or UnitAlias(alias=alias)
            instance.unit = unit
            if self.save(instance, f"alias {alias}"):
                self.report.count("aliases", "changed" if stored else "new", f"alias {alias} → {unit_name}")
                self.record(None, alias_what(instance.alias), {"unit": [was, unit_name]}, unit=unit)

    def apply_indicators(self) -> dict[str, Indicator]:
        indicators: dict[str, Indicator] = {}
        for code, values in self.plan.indicators.items():
            instance, how, changes = self.upsert(
                Indicator, {"code": code}, values, self.plan.where[("indicator", code)]
            )
            if instance is None:
                continue
            indicators[code] = instance
            if how:
                self.report.count(
                    "indicators", how, f"indicator {code}: " + ("added" if how == "new" else _changed_words(changes))
                )
                self.record(
                    instance,
                    "definition",
                    changes if how == "changed" else field_changes(None, instance, values.keys()),
                )
        return indicators

    def apply_memberships(self, indicators: dict[str, Indicator]) -> None:
        scorecards = {s.code: s for s in Scorecard.objects.all()}
        wanted: dict[tuple[str, str], dict[str, Any]] = {}
        for code, member_of in self.plan.member_of.items():
            for scorecard_code, values in member_of.items():
                wanted[(scorecard_code, code)] = values
        wanted.update(self.plan.extra_memberships)
        for (scorecard_code, code), values in wanted.items():
            indicator = indicators.get(code) or Indicator.objects.filter(code=code).first()
            scorecard = scorecards.get(scorecard_code)
            if indicator is None or scorecard is None:
                continue
            membership, how, changes = self.upsert(
                ScorecardMembership,
                {"scorecard": scorecard, "indicator": indicator},
                values,
                f"{code} in {scorecard_code}",
            )
            if membership is not None and how:
                what = f"in scorecard {scorecard_code}"
                changes = years_as_labels(changes)
                reopened = "to_year" in changes and not changes["to_year"][1]  # named again after leaving
                if how == "new":
                    line = f"joins {scorecard_code}"
                elif reopened:
                    line = f"back in {scorecard_code} with no last year ({_changed_words(changes)})"
                else:
                    line = f"{what}: {_changed_words(changes)}"
                self.report.count("memberships", how, f"indicator {code}: {line}")
                # Joining: the scorecard, and where it sits there. The years as the scorecard writes them.
                if how == "new":
                    changes = {
                        "scorecard": ["", scorecard_code],
                        **years_as_labels(field_changes(None, membership, values)),
                    }
                self.record(indicator, what, changes, scorecard=scorecard)
        # An indicator the file lists leaves the scorecards its row no longer names (its values stay): unless
        # the memberships sheet has a row for it, whose years win.
        listed = [indicators[code] for code in self.plan.member_of if code in indicators]
        leaving = [
            membership
            for membership in ScorecardMembership.objects.filter(indicator__in=listed).select_related(
                "scorecard", "indicator"
            )
            if (membership.scorecard.code, membership.indicator.code) not in wanted
        ]
        if leaving:
            self.leave(leaving, last_year_with_figures())

    def leave(self, memberships: list[ScorecardMembership], last_year: int | None) -> None:
        """Each membership ends after ``last_year`` (the year the figures have reached), so the scorecard's
        pages for that year and earlier still show the indicator (an annual KPI review). With no figures
        at all, or a membership that starts after that year, it was never shown: it goes."""
        for membership in memberships:
            scorecard, code = membership.scorecard, membership.indicator.code
            what = f"in scorecard {scorecard.code}"
            if last_year is None or (membership.from_year is not None and membership.from_year > last_year):
                why = (
                    "there are no figures yet, so it is taken out"
                    if last_year is None
                    else f"it was to join from {year_label(membership.from_year or 0)}, after the latest figures' "
                    f"{year_label(last_year)}, so it is taken out"
                )
                membership.delete()
                self.report.count("memberships", "left", f"indicator {code}: leaves {scorecard.code} ({why})")
                self.record(membership.indicator, what, {"scorecard": [scorecard.code, ""]}, scorecard=scorecard)
                continue
            if membership.to_year is not None and membership.to_year <= last_year:
                continue  # it has already left: importing the same files again changes nothing
            before = membership.to_year
            membership.to_year = last_year
            membership.save(update_fields=["to_year"])
            self.report.count(
                "memberships",
                "left",
                f"indicator {code}: leaves {scorecard.code} after {year_label(last_year)} "
                "(in the memberships sheet, to_year sets another last year)",
            )
            changes = years_as_labels({"to_year": [str(before or ""), str(last_year)]})
            self.record(membership.indicator, what, changes, scorecard=scorecard)

    def apply_targets(self) -> None:
        indicators = {i.code: i for i in Indicator.objects.filter(code__in={k[0] for k in self.plan.targets})}
        units = {u.name: u for u in ReportingUnit.objects.filter(name__in={k[2] for k in self.plan.targets if k[2]})}
        for key, values in self.plan.targets.items():
            code, year, unit_name, period = key
            lookup = {
                "indicator": indicators[code],
                "year": year,
                "unit": units.get(unit_name) if unit_name else None,
                "period_kind": period.kind.value if period else "",
                "period_start": period.start if period else None,
            }
            instance, how, changes = self.upsert(Target, lookup, values, self.plan.where[("target", key)])
            if instance is None or not how:
                continue
            what = target_what(instance)
            self.report.count(
                "targets", how, f"{code} {what}: " + ("added" if how == "new" else _changed_words(changes))
            )
            self.record(
                instance.indicator,
                what,
                changes if how == "changed" else field_changes(None, instance, values.keys()),
                target=instance,
            )

    def apply_benchmarks(self) -> None:
        indicators = {i.code: i for i in Indicator.objects.filter(code__in={k[0] for k in self.plan.benchmarks})}
        for (code, comparator, as_at), values in self.plan.benchmarks.items():
            indicator = indicators[code]
            instance, how, changes = self.upsert(
                Benchmark,
                {"indicator": indicator, "comparator": comparator, "as_at": as_at},
                values,
                f"{code} {comparator} benchmark",
            )
            if instance is None or not how:
                continue
            what = f"{comparator} benchmark as at {as_at:%d %b %Y}"
            self.report.count(
                "benchmarks", how, f"{code} {what}: " + ("added" if how == "new" else _changed_words(changes))
            )
            self.record(indicator, what, changes if how == "changed" else field_changes(None, instance, values.keys()))


def last_year_with_figures() -> int | None:
    """The financial year of the newest edition month (2025 for Jun-25), or None before any figures."""
    latest = Measurement.objects.latest_edition_month()
    return month(latest.year, latest.month).year_start_year if latest else None


def _changed_words(changes: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {old or '(blank)'} → {new or '(blank)'}" for name, (old, new) in changes.items())


# --- the pipeline ---------------------------------------------------------------------------------


def check(sheets: list[Sheet], report: Report) -> Plan | None:
    """Check the sheets; the plan, or None with the report's errors."""
    if report.errors:
        return None
    plan = check_sheets(sheets, report)
    return None if report.errors else plan


def run(
    sheets: list[Sheet],
    report: Report,
    reason: str,
    user: User | None = None,
    commit: bool = False,
    history: bool = True,
    about: Any = None,
) -> Report:
    """Check, then apply inside a transaction: kept with ``commit``, rolled back otherwise (the preview).

    Either way the report lists every change a commit makes; with any error nothing is kept. A commit that
    changes something is one audit event (``definitions.imported``, about ``about``: the upload or the
    path); each change is in the definition history. ``history`` False keeps the audit event only (the shipped
    demo: its set-up is the starting point, not a change to each definition).
    """
    plan = check(sheets, report)
    if plan is None:
        return report
    if commit and not reason.strip():
        report.errors.append(Issue("Say why these definitions change: the reason is kept with every change."))
        return report
    try:
        with transaction.atomic():
            _Applier(plan, report, reason.strip() or "preview", user, history).apply()
            if report.errors or not commit:
                raise _Rollback
            if report.changes:  # every write leaves an audit event, the demo's set-up included
                counts = {f"{what} {how}": n for what, hows in report.plain_counts().items() for how, n in hows.items()}
                record("definitions.imported", user, about=about, counts=counts, detail=reason.strip())
    except _Rollback:
        pass
    if report.errors:
        report.changes.clear()
        report.counts.clear()
    return report


def import_path(
    path: Path, reason: str, user: User | None = None, commit: bool = False, history: bool = True
) -> Report:
    """A folder of CSV files or one .xlsx workbook."""
    report = Report()
    if path.is_dir():
        sheets = read_folder(path, report)
        if not sheets and not report.errors:
            report.errors.append(
                Issue(
                    f"The folder {path} holds none of the definition files ({', '.join(f'{n}.csv' for n in SHEETS)})."
                )
            )
    elif path.is_file():
        sheets = read_files([(path.name, path.read_bytes())], report)
    else:
        report.errors.append(Issue(f"There is no file or folder {path}."))
        sheets = []
    return run(sheets, report, reason, user, commit, history, about=("definitions", str(path), path.name))


def import_files(
    files: list[tuple[str, bytes]],
    reason: str,
    user: User | None = None,
    commit: bool = False,
    about: DefinitionUpload | None = None,
) -> Report:
    """Uploaded files: CSV files named after their sheets, or one workbook."""
    report = Report()
    sheets = read_files(files, report)
    return run(sheets, report, reason, user, commit, about=about)


# --- the MI page: uploads kept between the check and the commit ----------------------------------


def pack(files: list[tuple[str, bytes]]) -> bytes:
    """The uploaded files as one zip archive, so the commit reads exactly what the preview checked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(Path(name).name, content)
    return buffer.getvalue()


def unpack(content: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


def save_check(upload: DefinitionUpload) -> DefinitionUpload:
    """Check the upload's files and keep the preview (or the errors) on it. Changes no definition."""
    report = import_files(unpack(bytes(upload.content)), upload.reason, upload.uploaded_by)
    upload.state = DefinitionUpload.State.PREVIEWED if report.ok else DefinitionUpload.State.INVALID
    upload.errors = [issue.as_dict() for issue in report.errors]
    upload.warnings = report.warnings
    upload.changes = report.changes
    upload.counts = report.plain_counts()
    upload.save(update_fields=["state", "errors", "warnings", "changes", "counts"])
    return upload


def commit_definitions(upload_id: int, user: User) -> Report | None:
    """Apply a previewed upload, all or nothing; None when it is not waiting for confirmation."""
    with transaction.atomic():
        upload = DefinitionUpload.objects.select_for_update().filter(pk=upload_id).first()
        if upload is None or upload.state != DefinitionUpload.State.PREVIEWED:
            return None
        report = import_files(unpack(bytes(upload.content)), upload.reason, user, commit=True, about=upload)
        if report.ok:
            upload.state, upload.committed_by, upload.committed_at = (
                DefinitionUpload.State.COMMITTED,
                user,
                timezone.now(),
            )
            upload.changes, upload.counts = report.changes, report.plain_counts()
        else:  # something changed since the preview made these files wrong: say so, keep nothing
            upload.state, upload.errors = DefinitionUpload.State.INVALID, [i.as_dict() for i in report.errors]
        upload.save()
    return report
