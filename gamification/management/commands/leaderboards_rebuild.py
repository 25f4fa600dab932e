"""Rebuild the Redis leaderboards from the XP ledger (after a Redis loss or a data fix)."""

from typing import Any

from django.core.management.base import BaseCommand

from gamification import services


class Command(BaseCommand):
    help = "Rebuild every live leaderboard in Redis from the XP ledger."

    def handle(self, *args: Any, **options: Any) -> None:
        written = services.leaderboards_rebuild()
        self.stdout.write(f"Rebuilt the leaderboards: {written} entries written.")
