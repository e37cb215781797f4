import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from districts.models import ReportingUnit
from indicators.analysis import periods
from indicators.analysis.periods import Period, PeriodError, PeriodKind, parse_label
from indicators.models import Scorecard
from scorecard.assembly import build_scorecard, default_scorecard, unit_by_name
from scorecard.export import FORMATS, render


class Command(BaseCommand):
    help = "Write a district's or the authority's scorecard as at a month, in the export columns."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", required=True, help="the authority, a district, a team, an alias or an ONS code")
        parser.add_argument(
            "--period",
            required=True,
            help="the edition month (Oct-24 or 2024-10), or a quarter (Q1 23-24: as at its last month)",
        )
        parser.add_argument("--scorecard", help="the scorecard's code (default: the default scorecard)")
        parser.add_argument("--format", choices=sorted(FORMATS), default="csv")
        parser.add_argument("--output", help="a file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_at = edition_as_at(options["period"])
        scorecard = self.scorecard(options["scorecard"])
        try:
            unit = unit_by_name(options["area"])
        except ReportingUnit.DoesNotExist:
            raise CommandError(f"no reporting unit called {options['area']!r}") from None
        if not unit.holds_values:
            raise CommandError(f"{unit.name} is an area: export each of its districts")
        card = build_scorecard(unit, as_at, scorecard)
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

    def scorecard(self, code: str | None) -> Scorecard | None:
        """The scorecard asked for; else the default one (none at all: every indicator, as before scorecards)."""
        if code is None:
            return default_scorecard()
        scorecard = Scorecard.objects.filter(code__iexact=code).first()
        if scorecard is None:
            known = ", ".join(Scorecard.objects.values_list("code", flat=True)) or "none is set up"
            raise CommandError(f"there is no scorecard {code!r} (the scorecards: {known})")
        return scorecard


def edition_as_at(label: str) -> Period:
    """A month (``Oct-24``, ``2024-10``), or a quarter (``Q1 23-24``) as at its last month (Jun-23)."""
    try:
        period = parse_label(label)
    except PeriodError as error:
        raise CommandError(str(error)) from None
    if period.kind is PeriodKind.QUARTER:
        last = periods.add_months(period.start, 2)
        return periods.month(last.year, last.month)
    if period.kind is not PeriodKind.MONTH:
        raise CommandError(f"'{label}' is neither a month (Oct-24 or 2024-10) nor a quarter (Q1 23-24)")
    return period
