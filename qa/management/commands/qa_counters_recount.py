"""Recount the help center's stored counters from the posts (after a data fix or a bulk load)."""

from typing import Any

from django.core.management.base import BaseCommand

from qa.services.counters import counters_recount


class Command(BaseCommand):
    help = (
        "Recount every question's visible answers and ratings and every category's visible "
        "questions; reports how many were wrong."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        recount = counters_recount()
        self.stdout.write(
            f"Recounted: {recount.questions} question(s) and {recount.categories} "
            "category(ies) corrected."
        )
