from typing import Any

from django.core.management.base import BaseCommand, CommandError

from billing.services import stripe_catalog_sync
from core.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Create the Stripe products and prices missing for plans, course prices and bundles."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = stripe_catalog_sync()
        except ApplicationError as error:
            raise CommandError(error.message) from error
        for line in created:
            self.stdout.write(f"created {line}")
        self.stdout.write(self.style.SUCCESS(f"{len(created)} price(s) created at Stripe."))
