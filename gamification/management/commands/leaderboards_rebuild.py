"""Refill the Redis leaderboards from the XP ledger (the ledger is the truth)."""

from django.core.management.base import BaseCommand

from gamification.leaderboard import leaderboards_rebuild


class Command(BaseCommand):
    help = "Rebuild the Redis leaderboards (all time and the last N weeks) from the XP ledger."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--weeks", type=int, default=2, help="Weekly boards to rebuild.")

    def handle(self, *args, weeks: int, **options) -> None:
        count = leaderboards_rebuild(weeks=max(weeks, 1))
        if count == 0:
            self.stdout.write("No Redis configured: the database serves the leaderboards.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Rebuilt {count} leaderboards from the ledger."))
