from typing import Any

from django.core.management.base import BaseCommand, CommandError

from scorecard.demo import ATTRIBUTION, DemoDataError, load_demo


class Command(BaseCommand):
    help = "Load the Kent CYPE October 2024 demo data set (idempotent: a second run changes nothing)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            changed = load_demo()
        except DemoDataError as error:
            raise CommandError(f"demo data refused, nothing loaded: {error}") from None
        summary = ", ".join(f"{count} {what}" for what, count in changed.items())
        self.stdout.write(f"Demo data loaded ({summary} added or changed).")
        self.stdout.write(ATTRIBUTION)
