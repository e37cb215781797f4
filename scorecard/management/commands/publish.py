from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from indicators.analysis.periods import PeriodError, parse_month
from indicators.models import Scorecard as ScorecardDefinition
from scorecard.editions.pdf import pack_status
from scorecard.editions.publishing import PublishError, publish_edition
from scorecard.formats import long_datetime


def scorecard_option(code: str | None) -> ScorecardDefinition | None:
    """``--scorecard CODE``: that scorecard (any case); None without the option (the default scorecard)."""
    if code is None:
        return None
    scorecard = ScorecardDefinition.objects.filter(code__iexact=code.strip()).first()
    if scorecard is None:
        known = ", ".join(ScorecardDefinition.objects.values_list("code", flat=True)) or "none yet"
        raise CommandError(f"there is no scorecard {code!r} (the scorecards: {known})")
    return scorecard


class Command(BaseCommand):
    help = (
        "Publish a scorecard's edition as at a month (Oct-24 or 2024-10; a quarterly scorecard: Jun, Sep, Dec or "
        "Mar): freeze the authority's and every district's scorecard, with commentary and suppression, as a new "
        "version. Refused until a service lead has approved its figures (the approve command, or "
        "/editions/<month>/approve/). Warns about RED indicators without commentary."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", help="the edition month: Oct-24 or 2024-10")
        parser.add_argument("--scorecard", metavar="CODE", help="the scorecard's code (default: the default scorecard)")
        parser.add_argument(
            "--paper", choices=["A4", "A3"], default="A4", help="the committee pack's paper, landscape (default A4)"
        )
        parser.add_argument(
            "--visible-from",
            metavar="'YYYY-MM-DD HH:MM'",
            help="embargo: members see the version only from then (UK time)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = parse_month(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        visible_from = None
        if options.get("visible_from"):
            try:
                # A UK wall-clock time, made aware in the site's time zone.
                visible_from = timezone.make_aware(
                    datetime.strptime(options["visible_from"].strip(), "%Y-%m-%d %H:%M")  # noqa: DTZ007
                )
            except ValueError:
                raise CommandError("--visible-from takes a UK date and time such as '2024-12-09 10:00'") from None
        scorecard = scorecard_option(options.get("scorecard"))
        try:
            published = publish_edition(
                month, visible_from=visible_from, paper=options.get("paper") or "A4", scorecard=scorecard
            )
        except PublishError as error:
            raise CommandError(f"not published: {error}") from None
        for warning in published.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        version = published.version
        self.stdout.write(
            f"Published {version.title or 'the scorecard'} as at {month.label} as version {version.number} "
            f"({long_datetime(version.published_at)}"
            + (f", members see it from {long_datetime(version.visible_from)}" if version.visible_from else "")
            + "); "
            f"{len(published.warnings)} RED indicator(s) without commentary."
        )
        pack = pack_status(version)  # laid out already in eager mode; otherwise queued for the worker
        self.stdout.write(
            f"Committee pack ({version.paper}): {pack.get_status_display() if pack else 'not queued'}"
            + (f", {pack.size:,} bytes, SHA-256 {pack.sha256}" if pack and pack.is_ready else "")
            + "."
        )
