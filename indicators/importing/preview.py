"""What an upload would change: new, changed and unchanged values against what is stored.

``check_upload`` is the whole read-only pipeline (parse -> validate -> diff) that the web
page, the management command and the commit task share.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import pairwise
from statistics import mean

from django.db import connection, transaction
from django.utils import timezone

from indicators.analysis.numbers import stored
from indicators.analysis.periods import PeriodKind
from indicators.analysis.spc import MOVING_RANGE_LIMIT_FACTOR
from indicators.models import Measurement

from . import staging
from .parse import FileProblem, Issue, parse_file
from .validate import Catalogue, Key, NewValue, validate

# The XmR upper range limit (the SPC charts' own constant): a move bigger than this many mean moving ranges is
# far outside the series' usual movement.
UPPER_RANGE_FACTOR = Decimal(str(MOVING_RANGE_LIMIT_FACTOR))
MIN_MOVES_FOR_JUMPS = 4
MAX_STORED_ISSUES = 1000
MAX_STORED_TEXT = 2000  # characters of one stored message, sheet or column name

# Called with each step of a check (read, check, compare, look for jumps) so the page can show progress.
Progress = Callable[[str], None]

# A stored value's figures, compared to tell a change from a repeat: (value, numerator, denominator, status).
Figures = tuple[Decimal | None, Decimal | None, Decimal | None, str]


def figures_of(measurement: Measurement) -> Figures:
    def norm(number: Decimal | None) -> Decimal | None:
        return stored(number) if number is not None else None

    return (
        norm(measurement.value),
        norm(measurement.numerator),
        norm(measurement.denominator),
        measurement.status or "",
    )


def new_figures(item: NewValue, old: Figures | None) -> Figures:
    """The figures after the upload; the wide layout keeps the stored numerator and denominator."""
    if item.has_ratio or old is None:
        return (item.value, item.numerator, item.denominator, item.status)
    return (item.value, old[1], old[2], item.status)


def show(figures: Figures | None) -> str:
    """Figures in words for the preview: '67.9 (15.6 / 23)', 'N/A', or '—' when nothing is stored."""
    if figures is None:
        return "—"
    value, numerator, denominator, status = figures
    parts = [f"{value.normalize():f}" if value is not None else ""]
    if numerator is not None or denominator is not None:
        parts.append(
            "(" + " / ".join(f"{n.normalize():f}" if n is not None else "?" for n in (numerator, denominator)) + ")"
        )
    if status:
        parts.append(status)
    return " ".join(p for p in parts if p)


def existing_for(values: Sequence[NewValue]) -> dict[Key, Measurement]:
    """The stored measurements the values would replace, in one query."""
    if not values:
        return {}
    starts = [item.period.start for item in values]
    query = Measurement.objects.filter(
        indicator_id__in={item.indicator.pk for item in values},
        unit_id__in={item.unit.pk for item in values},
        period_start__gte=min(starts),
        period_start__lte=max(starts),
    )
    wanted = {item.key for item in values}
    found = {}
    for measurement in query:
        key = Key(measurement.indicator_id, measurement.unit_id, measurement.period_kind, measurement.period_start)
        if key in wanted:
            found[key] = measurement
    return found


@dataclass
class Change:
    item: NewValue
    old: Figures | None
    new: Figures

    def as_dict(self) -> dict[str, str]:
        return {
            "indicator": self.item.indicator.code,
            "area": self.item.unit.name,
            "period": self.item.period.label,
            "old": show(self.old),
            "new": show(self.new),
        }


@dataclass
class Diff:
    new: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    seen: str = ""  # a fingerprint of every stored value the file touches, as the preview saw them

    @property
    def counts(self) -> dict[str, int]:
        return {"new": len(self.new), "changed": len(self.changed), "unchanged": self.unchanged}


def fingerprint(values: Iterable[NewValue], existing: dict[Key, Measurement]) -> str:
    digest = hashlib.sha256()
    for key in sorted(
        {item.key for item in values}, key=lambda k: (k.indicator_id, k.unit_id, k.period_kind, k.period_start)
    ):
        old = existing.get(key)
        digest.update(repr((key, figures_of(old) if old else None)).encode())
    return digest.hexdigest()


def diff(values: Sequence[NewValue], existing: dict[Key, Measurement]) -> Diff:
    result = Diff(seen=fingerprint(values, existing))
    for item in values:
        stored_one = existing.get(item.key)
        old = figures_of(stored_one) if stored_one else None
        new = new_figures(item, old)
        if old is None:
            result.new.append(Change(item, None, new))
        elif old != new:
            result.changed.append(Change(item, old, new))
        else:
            result.unchanged += 1
    return result


def uses_staging() -> bool:
    """PostgreSQL compares and writes through a temporary table (staging.py); SQLite in Python."""
    return connection.vendor == "postgresql"


def staged_diff(values: Sequence[NewValue]) -> Diff:
    """The diff, from the staged values (staging.stage): only the new and changed come back from the database."""
    result = Diff(seen=staging.fingerprint())
    for change in staging.changes():
        item = values[change.position]
        new = new_figures(item, change.old)
        (result.new if change.old is None else result.changed).append(Change(item, change.old, new))
    result.unchanged = len(values) - len(result.new) - len(result.changed)
    return result


def _jump_issue(item: NewValue, move: Decimal, usual: Decimal) -> Issue:
    return Issue(
        f"{item.indicator.code} {item.unit.name} {item.period.label}: a move of {move.normalize():f} "
        f"from the period before is far outside this series' usual movement (about "
        f"{usual.quantize(Decimal('0.01')).normalize():f}). Check it.",
        item.sheet,
        item.row,
    )


def staged_jump_warnings(values: Sequence[NewValue]) -> list[Issue]:
    """jump_warnings for the new and changed staged values, worked out in the database."""
    return [
        _jump_issue(values[jump.position], jump.move, jump.usual)
        for jump in staging.jumps(UPPER_RANGE_FACTOR, MIN_MOVES_FOR_JUMPS)
    ]


def jump_warnings(values: Sequence[NewValue], checked: set[Key] | None = None) -> list[Issue]:
    """Values whose move from the previous period is far outside the series' usual movement (XmR).

    ``checked``: the keys to warn about (the new and changed values); all when None.
    """
    trend_values = [v for v in values if v.value is not None and v.period.kind is not PeriodKind.OUTTURN]
    if not trend_values:
        return []
    series: dict[tuple[int, int, str], dict[date, Decimal]] = defaultdict(dict)
    history = Measurement.objects.filter(
        indicator_id__in={v.indicator.pk for v in trend_values},
        unit_id__in={v.unit.pk for v in trend_values},
        period_kind__in={v.period.kind.value for v in trend_values},
        value__isnull=False,
    ).values_list("indicator_id", "unit_id", "period_kind", "period_start", "value")
    for indicator_id, unit_id, kind, start, value in history:
        if value is not None:  # the query asks for values only; this says so to the type checker
            series[(indicator_id, unit_id, kind)][start] = value
    for item in trend_values:
        if item.value is not None:
            series[(item.indicator.pk, item.unit.pk, item.period.kind.value)][item.period.start] = item.value
    warnings = []
    for item in trend_values:
        if checked is not None and item.key not in checked:
            continue
        points = sorted(series[(item.indicator.pk, item.unit.pk, item.period.kind.value)].items())
        moves = [(later[0], abs(later[1] - earlier[1])) for earlier, later in pairwise(points)]
        this_move = next((move for start, move in moves if start == item.period.start), None)
        others = [move for start, move in moves if start != item.period.start]
        if this_move is None or len(others) < MIN_MOVES_FOR_JUMPS:
            continue
        usual = mean(others)
        if usual > 0 and this_move > UPPER_RANGE_FACTOR * usual:
            warnings.append(_jump_issue(item, this_move, usual))
    return warnings


@dataclass
class Report:
    """The outcome of checking a file: what it would change, and every error and warning."""

    values: list[NewValue] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    diff: Diff = field(default_factory=Diff)
    layout: str = ""
    rows: int = 0
    definitions: str = ""  # the catalogue the values were checked against (Catalogue.definitions)
    carried: staging.Carried | None = None  # check_upload(carry=True) on PostgreSQL, when the file is good

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        return {
            **self.diff.counts,
            "values": len(self.values),
            "rows": self.rows,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }

    def preview(self) -> dict[str, object]:
        """What the preview page shows, as JSON for Upload.preview."""
        return {
            "layout": self.layout,
            "seen": self.diff.seen,
            "changes": [change.as_dict() for change in self.diff.changed],
            "units": self.units_changed(),
        }

    def units_changed(self) -> list[dict[str, str]]:
        """The units that get a new or changed value, in display order: once committed, the scorecards to look at."""
        units = {change.item.unit for change in (*self.diff.new, *self.diff.changed)}
        return [
            {"name": unit.name, "slug": unit.slug, "kind": unit.kind}
            for unit in sorted(units, key=lambda unit: (unit.display_order, unit.name))
        ]

    def stored_errors(self) -> list[dict[str, object]]:
        return stored_issues(self.errors)

    def stored_warnings(self) -> list[dict[str, object]]:
        return stored_issues(self.warnings)


# What PostgreSQL refuses in text and JSON (NUL, lone surrogates) and what a page should not print raw
# (other control characters); tab, newline and carriage return are kept.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def storable(text: str, limit: int = MAX_STORED_TEXT) -> str:
    """Text any database keeps, whatever bytes the file held: control characters and lone surrogates written
    as escapes (a NUL as \\x00), and at most ``limit`` characters."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _UNSTORABLE.sub(
        lambda match: f"\\x{ord(match.group()):02x}" if ord(match.group()) < 0x100 else f"\\u{ord(match.group()):04x}",
        text,
    )


def _storable_issue(issue: Issue) -> dict[str, object]:
    return {name: storable(part) if isinstance(part, str) else part for name, part in issue.as_dict().items()}


def stored_issues(issues: list[Issue]) -> list[dict[str, object]]:
    """Issues as Upload.errors and Upload.warnings keep them: the first MAX_STORED_ISSUES, storable."""
    kept = [_storable_issue(issue) for issue in issues[:MAX_STORED_ISSUES]]
    if len(issues) > MAX_STORED_ISSUES:
        kept.append(Issue(f"… and {len(issues) - MAX_STORED_ISSUES:,} more.").as_dict())
    return kept


def count_rows(filename: str, content: bytes) -> int:
    """About how many rows a file holds, cheaply (lines of a CSV; sheet heights of a workbook): whether its
    check is long enough to run in the worker. 0 when it cannot tell (the check will say why)."""
    if filename.lower().endswith(".csv"):
        return content.count(b"\n")
    try:
        from python_calamine import CalamineWorkbook

        from .parse import check_zip

        check_zip(content)  # never hand a zip bomb to a reader
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return sum(workbook.get_sheet_by_name(name).total_height for name in workbook.sheet_names)
    except Exception:  # noqa: BLE001 - a damaged or odd file: the check (in the request) reports it
        return 0


def _no_progress(step: str) -> None:
    pass


def check_file(filename: str, content: bytes, today: date | None = None, progress: Progress = _no_progress) -> Report:
    """Parse and validate a file, without looking at what is stored."""
    today = today or timezone.localdate()
    progress("reading the file")
    try:
        parsed = parse_file(filename, content)
    except FileProblem as problem:
        return Report(errors=[Issue(str(problem))])
    progress(f"checking {len(parsed.records):,} values")
    catalogue = Catalogue.load()
    checked = validate(parsed, catalogue, today)
    return Report(
        values=checked.values,
        errors=checked.errors,
        warnings=checked.warnings,
        layout="+".join(sorted(parsed.layouts)),
        rows=parsed.rows,
        definitions=catalogue.definitions,
    )


def check_upload(
    filename: str, content: bytes, today: date | None = None, *, carry: bool = False, progress: Progress = _no_progress
) -> Report:
    """Parse, validate and diff a file against what is stored. Changes nothing.

    ``carry``: on PostgreSQL, also keep what the commit needs (Report.carried), when the file has no errors.
    ``progress`` is told each step as it starts.
    """
    # Before reading anything: a write after this moves it, so the commit knows to compare again.
    version = staging.data_version() if carry and uses_staging() else None
    report = check_file(filename, content, today, progress)
    progress(f"comparing {len(report.values):,} values with those stored")
    if uses_staging():
        with transaction.atomic():  # the staged table lives until the transaction ends
            staging.stage(report.values)
            report.diff = staged_diff(report.values)
            if report.ok:  # (no progress saved in here: it would wait for this transaction)
                report.warnings.extend(staged_jump_warnings(report.values))
            if report.ok and carry:
                report.carried = staging.carry(
                    definitions=report.definitions,
                    values=len(report.values),
                    months=staging.month_locks(item.key for item in report.values),
                    version=version,
                )
        return report
    report.diff = diff(report.values, existing_for(report.values))
    if report.ok:
        progress("looking for unusual moves")
        touched = {change.item.key for change in (*report.diff.new, *report.diff.changed)}
        report.warnings.extend(jump_warnings(report.values, touched))
    return report
