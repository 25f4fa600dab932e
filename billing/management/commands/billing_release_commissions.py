from typing import Any

from django.core.management.base import BaseCommand

from billing.services import commission_release_due


class Command(BaseCommand):
    help = "Make affiliate commissions whose refund window has closed payable (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{commission_release_due()} commission(s) are now payable.")
