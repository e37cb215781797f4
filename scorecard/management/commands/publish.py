from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from indicators.analysis.periods import PeriodError, parse_month
from scorecard.editions.publishing import PublishError, publish_edition


class Command(BaseCommand):
    help = ("Publish the edition as at a month (Oct-24 or 2024-10): freeze Kent's and every district's "
            "scorecard, with commentary and suppression, as a new version. Warns about RED indicators "
            "without commentary.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", help="the edition month: Oct-24 or 2024-10")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = parse_month(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        try:
            published = publish_edition(month)
        except PublishError as error:
            raise CommandError(f"not published: {error}") from None
        for warning in published.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        version = published.version
        self.stdout.write(f"Published {month.label} as version {version.number} "
                          f"({version.published_at:%d %B %Y %H:%M}); "
                          f"{len(published.warnings)} RED indicator(s) without commentary.")
