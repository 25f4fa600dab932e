"""Demo data for `make run`: an admin, an instructor and a student (idempotent).

Later apps extend the demo with courses, questions and activity through `DEMO_SEEDERS`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from accounts import services
from accounts.models import User
from core.roles import Role

DEMO_PASSWORD = "lumen-demo-2026"  # noqa: S105 - development only; refused in production below
DEMO_USERS = [
    ("admin@lumen.localhost", "Ada Admin", Role.ADMIN),
    ("instructor@lumen.localhost", "Ivan Instructor", Role.INSTRUCTOR),
    ("student@lumen.localhost", "Sam Student", Role.STUDENT),
]


class Command(BaseCommand):
    help = "Create the demo admin, instructor and student (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError(
                "seed_demo creates accounts with known passwords; not in production."
            )
        from allauth.account.models import EmailAddress

        with transaction.atomic():
            for email, name, role in DEMO_USERS:
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = services.user_create(
                        email=email, password=DEMO_PASSWORD, role=role, display_name=name
                    )
                    self.stdout.write(f"created {role} {email}")
                else:
                    services.user_set_role(user=user, role=role)
                # Demo addresses count as verified so the accounts can sign in at once.
                EmailAddress.objects.update_or_create(
                    user=user, email=email, defaults={"verified": True, "primary": True}
                )
        self.stdout.write(self.style.SUCCESS(f"Demo accounts ready; password: {DEMO_PASSWORD}"))
        # Apps add their demo content without accounts importing them (settings.DEMO_SEEDERS).
        for dotted_path in getattr(settings, "DEMO_SEEDERS", []):
            import_string(dotted_path)(stdout=self.stdout)
