"""Recount the counts stored on each course (enrolments, lessons, total lesson duration) from
their rows: after a bulk load, a restore or a data fix made outside courses.services."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from courses import services


class Command(BaseCommand):
    help = "Recount every course's stored enrolment and lesson counts (or only check them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--course", type=int, action="append", dest="course_ids", help="only this course id"
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="change nothing; fail if a course's counts differ from its rows",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        course_ids = options["course_ids"]
        drifted = services.course_counts_drift(course_ids=course_ids)
        if options["check"]:
            if drifted:
                raise CommandError(
                    f"{len(drifted)} course(s) with counts that differ from their rows: "
                    f"{', '.join(map(str, drifted[:20]))}{' ...' if len(drifted) > 20 else ''}"
                )
            self.stdout.write("Every course's counts match its rows.")
            return
        recounted = services.course_counts_recount(course_ids=course_ids)
        self.stdout.write(f"Recounted {recounted} course(s); {len(drifted)} had drifted.")
