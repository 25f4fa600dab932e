"""Create the payment, refund, question and answer events that analytics never recorded (the
history from before those events were captured), then rebuild the days' facts."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from analytics import backfill, services


class Command(BaseCommand):
    help = (
        "Create the missing payment, refund, question and answer events for --start..--end "
        "(inclusive) from billing's and qa's tables, then rebuild those days' facts. Running it "
        "again creates nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--end", help="Last day, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--no-rollup", action="store_true", help="Create the events only; no facts rebuilt."
        )

    def handle(self, *args: object, **options: object) -> None:
        today = timezone.localdate()
        try:
            start = date.fromisoformat(str(options["start"]))
            end = date.fromisoformat(str(options["end"])) if options["end"] else today
        except ValueError as error:
            raise CommandError("Dates must be written YYYY-MM-DD.") from error
        if start > end:
            raise CommandError("--start must not be after --end.")
        # Rebuilding a day whose learning events were purged would empty its facts, and events
        # older than that are purged again the next night.
        oldest = today - timedelta(days=settings.ANALYTICS_RETENTION_DAYS - 1)
        if start < oldest:
            raise CommandError(
                f"--start must not be before {oldest}: events older than "
                f"ANALYTICS_RETENTION_DAYS ({settings.ANALYTICS_RETENTION_DAYS}) are purged."
            )
        created = backfill.events_backfill(start=start, end=end)
        self.stdout.write(
            "Created " + ", ".join(f"{count} {kind}" for kind, count in created.items()) + "."
        )
        if not options["no_rollup"]:
            services.facts_backfill(start=start, end=end)
            self.stdout.write(f"Facts rebuilt for {start} to {end}.")
