from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from indicators.importing.staging import analyse_measurements
from scorecard.demo import ATTRIBUTION, DemoDataError, load_demo
from scorecard.synthetic import YEARS_OF_HISTORY, add_synthetic_history, remove_synthetic_history


class Command(BaseCommand):
    help = "Load the Kent CYPE October 2024 demo data set (idempotent: a second run changes nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--synthetic-history",
            action="store_true",
            help=f"also generate {YEARS_OF_HISTORY} years of history before April 2024, marked as synthetic, "
            "so statistical process control can be tried",
        )
        group.add_argument(
            "--remove-synthetic-history", action="store_true", help="delete every generated (synthetic) value"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            changed = load_demo()
        except DemoDataError as error:
            raise CommandError(f"demo data refused, nothing loaded: {error}") from None
        summary = ", ".join(f"{count} {what}" for what, count in changed.items())
        self.stdout.write(f"Demo data loaded ({summary} added or changed).")
        if options["synthetic_history"]:
            self.stdout.write(
                f"Synthetic history: {add_synthetic_history()} generated values added "
                "(marked as synthetic on every page)."
            )
        if options["remove_synthetic_history"]:
            self.stdout.write(f"Synthetic history: {remove_synthetic_history()} generated values removed.")
        analyse_measurements()  # a bulk load: the planner must know the table's new size (autovacuum may be off)
        self.stdout.write(ATTRIBUTION)
