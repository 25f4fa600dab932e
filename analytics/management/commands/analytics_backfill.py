"""Rebuild the daily analytics facts for a date range from the raw events."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from analytics import services


class Command(BaseCommand):
    help = "Rebuild daily analytics facts from events for --start..--end (inclusive)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--start", help="First day, YYYY-MM-DD (default: 29 days ago).")
        parser.add_argument("--end", help="Last day, YYYY-MM-DD (default: today).")

    def handle(self, *args: object, **options: str | None) -> None:
        today = timezone.localdate()
        try:
            end = date.fromisoformat(options["end"]) if options["end"] else today
            start = (
                date.fromisoformat(options["start"])
                if options["start"]
                else end - timedelta(days=29)
            )
        except ValueError as error:
            raise CommandError("Dates must be written YYYY-MM-DD.") from error
        if start > end:
            raise CommandError("--start must not be after --end.")
        for day, course_facts, learner_facts in services.facts_backfill(start=start, end=end):
            self.stdout.write(f"{day}: {course_facts} course facts, {learner_facts} learner facts")
