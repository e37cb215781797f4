from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from indicators.analysis.periods import PeriodError, parse_month
from scorecard.editions.approval import approve, cards_and_figures, scorecard_or_default
from scorecard.editions.publishing import PublishError, check_publishable, units_in_edition

from .publish import scorecard_option


class Command(BaseCommand):
    help = (
        "Sign off a scorecard's figures as at a month (Oct-24 or 2024-10) as they stand now, so that the MI team "
        "can publish them (the web page /editions/<month>/approve/ shows what is signed off). A later change to "
        "the figures needs a new approval. Recorded in the audit trail as the command line's."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", help="the edition month: Oct-24 or 2024-10")
        parser.add_argument("--scorecard", metavar="CODE", help="the scorecard's code (default: the default scorecard)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = parse_month(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        try:
            scorecard = scorecard_or_default(scorecard_option(options.get("scorecard")))
            check_publishable(month, scorecard)
        except PublishError as error:
            raise CommandError(f"not approved: {error}") from None
        _, fingerprint = cards_and_figures(units_in_edition(), month, scorecard=scorecard)
        approve(month, fingerprint, None, scorecard=scorecard)
        self.stdout.write(f"Approved the {scorecard.title} figures as at {month.label} (figures {fingerprint[:12]}).")
