"""import_definitions PATH [--commit]: set up scorecards, units, indicators and targets from spreadsheets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from indicators.importing.definitions import SHEETS, Report, import_path

SHOWN_CHANGES = 500


class Command(BaseCommand):
    help = (
        f"Check a folder of CSV files ({', '.join(f'{n}.csv' for n in SHEETS)}) or one .xlsx with sheets of "
        "those names, and print what would change; with --commit, apply it (all or nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="a folder of CSV files, or one .xlsx workbook")
        parser.add_argument("--commit", action="store_true", help="apply the changes (all or nothing)")
        parser.add_argument(
            "--reason",
            default="",
            help="why the definitions change: kept with every change (default: 'import_definitions PATH')",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        reason = options["reason"].strip() or f"import_definitions {path.name}"
        report = import_path(path, reason, commit=options["commit"])
        self.print_report(report)
        if not report.ok:
            raise CommandError(f"{len(report.errors)} error(s): nothing was changed.")
        if not report.changes:
            self.stdout.write("Nothing to change: the definitions are already as these files say.")
        elif options["commit"]:
            self.stdout.write(self.style.SUCCESS(f"Committed {len(report.changes)} change(s)."))
        else:
            self.stdout.write("Nothing changed yet: run again with --commit to apply these changes.")

    def print_report(self, report: Report) -> None:
        for what, hows in report.plain_counts().items():
            self.stdout.write(f"{what}: " + ", ".join(f"{count} {how}" for how, count in hows.items()))
        for line in report.changes[:SHOWN_CHANGES]:
            self.stdout.write(f"  {line}")
        if len(report.changes) > SHOWN_CHANGES:
            self.stdout.write(f"  … and {len(report.changes) - SHOWN_CHANGES} more")
        for warning in report.warnings:
            self.stdout.write(f"warning: {warning}")
        for error in report.errors:
            self.stderr.write(f"error: {error}")
