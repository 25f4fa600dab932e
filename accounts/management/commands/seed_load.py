"""Large load data for benchmarks: `manage.py seed_load` (defaults: the performance issue's sizes).

    manage.py seed_load                       1,000,000 users, 20,000 courses, 200,000 lessons,
                                              5,000,000 progress rows, 10,000,000 XP rows,
                                              200,000 questions
    manage.py seed_load --scale 0.01          the same shape at 1 %
    manage.py seed_load --users 100000 ...    any size by hand

Stages run in order from settings.LOAD_SEEDERS (users, courses, progress, XP, questions), each
in one transaction, written with COPY on PostgreSQL. Re-running is safe: a stage whose rows exist
is skipped, so an interrupted run resumes at the stage it stopped in, and a finished one changes
nothing. Load users have unusable passwords; nobody signs in as them. Analytics events have their
own command, `seed_load_events`.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.bulk import BulkWriter, LoadContext

SIZES = {
    "users": 1_000_000,
    "courses": 20_000,
    "lessons": 200_000,
    "progress": 5_000_000,
    "xp": 10_000_000,
    "questions": 200_000,
}


class Command(BaseCommand):
    help = "Write large load data (users, courses, lessons, progress, XP, questions)."

    def add_arguments(self, parser: CommandParser) -> None:
        for name, default in SIZES.items():
            parser.add_argument(f"--{name}", type=int, default=None, help=f"default {default:,}")
        parser.add_argument("--scale", type=float, default=1.0, help="multiply every default")
        parser.add_argument("--prefix", default="load", help="marks the rows (e-mails, slugs)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--force", action="store_true", help="allow it with DJANGO_ENV=production"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION and not options["force"]:
            raise CommandError("seed_load fills the database with fake users; add --force.")
        sizes = {
            name: options[name] if options[name] is not None else int(default * options["scale"])
            for name, default in SIZES.items()
        }
        for name, value in sizes.items():
            if value < 1:
                raise CommandError(f"--{name} must be at least 1 (got {value}).")
        sizes["instructors"] = max(1, sizes["courses"] // 4)
        if sizes["users"] <= sizes["instructors"]:
            raise CommandError(
                f"--users must exceed the {sizes['instructors']:,} instructors the courses need."
            )
        sizes["lessons_per_course"] = max(1, sizes["lessons"] // sizes["courses"])
        ctx = LoadContext(
            prefix=options["prefix"],
            sizes=sizes,
            seed=options["seed"],
            writer=BulkWriter(self.stdout),
            stream=self.stdout,
            now=timezone.now(),
        )
        started = time.monotonic()
        for dotted in settings.LOAD_SEEDERS:
            stage_started = time.monotonic()
            self.stdout.write(f"{dotted}")
            try:
                with transaction.atomic():
                    result = import_string(dotted)(ctx)
            except ValueError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"  {result} ({time.monotonic() - stage_started:.1f} s)")
        analyze_started = time.monotonic()
        if ctx.writer.analyze():  # every run, so one that resumes a stopped run analyzes too
            took = time.monotonic() - analyze_started
            self.stdout.write(f"planner statistics refreshed (ANALYZE, {took:.1f} s)")
        self.stdout.write(
            self.style.SUCCESS(f"Load data ready in {time.monotonic() - started:.1f} s.")
        )
