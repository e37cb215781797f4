import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from districts.models import ReportingUnit
from indicators.analysis.periods import PeriodError, parse_month
from scorecard.assembly import build_scorecard, unit_by_name
from scorecard.export import FORMATS, render


class Command(BaseCommand):
    help = "Write a district's or the authority's scorecard as at a month, in the export columns."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", required=True, help="Kent, a district, an alias or an ONS code")
        parser.add_argument("--period", required=True, help="the edition month: Oct-24 or 2024-10")
        parser.add_argument("--format", choices=sorted(FORMATS), default="csv")
        parser.add_argument("--output", help="a file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_at = parse_month(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        try:
            unit = unit_by_name(options["area"])
        except ReportingUnit.DoesNotExist:
            raise CommandError(f"no reporting unit called {options['area']!r}") from None
        if not unit.holds_values:
            raise CommandError(f"{unit.name} is an area: export each of its districts")
        card = build_scorecard(unit, as_at)
        content = render(card.rows, options["format"], sheet_title=f"{unit.name} {as_at.label}")
        if options["output"]:
            Path(options["output"]).write_bytes(content)
        elif options["format"] == "xlsx" and sys.stdout.isatty():
            raise CommandError("refusing to write XLSX to a terminal: give --output FILE")
        elif options["format"] == "csv":
            self.stdout.write(content.decode("utf-8"), ending="")
        else:
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
