"""Generate a large, realistic analytics data set (default 1,000,000 events) for benchmarks.

Everything is written with bulk_create in large batches, so a million events take about a
minute on SQLite and less on PostgreSQL. Users are created directly (unusable passwords, role
set) rather than through the sign-up service: this is load data, not accounts anyone signs in to.
The facts are rebuilt at the end unless --no-rollup is given.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from analytics import services
from analytics.models import Event
from core.roles import Role
from courses.models import Course, Enrollment, Lesson, Module

User = get_user_model()


class Command(BaseCommand):
    help = "Generate load data: courses, learners, enrolments and --events analytics events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=1_000_000)
        parser.add_argument("--learners", type=int, default=5_000)
        parser.add_argument("--courses", type=int, default=40)
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--prefix", default="load", help="Slug and e-mail prefix.")
        parser.add_argument("--no-rollup", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        rng = random.Random(options["seed"])  # noqa: S311 - load data, not secrets
        prefix = str(options["prefix"])
        n_courses, n_learners = int(options["courses"]), int(options["learners"])
        days, wanted = int(options["days"]), int(options["events"])
        password = make_password(None)

        instructors = User.objects.bulk_create(
            User(email=f"{prefix}-teacher-{n}@example.com", role=Role.INSTRUCTOR, password=password)
            for n in range(max(1, n_courses // 4))
        )
        instructors = list(User.objects.filter(email__startswith=f"{prefix}-teacher-"))
        now = timezone.now()
        Course.objects.bulk_create(
            Course(
                title=f"Load course {n}",
                slug=f"{prefix}-course-{n}",
                status=Course.Status.PUBLISHED,
                published_at=now - timedelta(days=days),
            )
            for n in range(n_courses)
        )
        courses = list(Course.objects.filter(slug__startswith=f"{prefix}-course-"))
        for index, course in enumerate(courses):
            course.instructors.add(instructors[index % len(instructors)])
        Module.objects.bulk_create(
            Module(course=course, title=f"Module {m}", order=m)
            for course in courses
            for m in range(1, 4)
        )
        modules = list(Module.objects.filter(course__in=courses))
        Lesson.objects.bulk_create(
            Lesson(module=module, title=f"Lesson {n}", order=n, body="Load.")
            for module in modules
            for n in range(1, 5)
        )
        lessons_by_course: dict[int, list[int]] = {}
        for lesson_id, course_id in Lesson.objects.filter(module__in=modules).values_list(
            "id", "module__course_id"
        ):
            lessons_by_course.setdefault(course_id, []).append(lesson_id)

        User.objects.bulk_create(
            (
                User(email=f"{prefix}-learner-{n}@example.com", password=password)
                for n in range(n_learners)
            ),
            batch_size=2000,
        )
        learner_ids = list(
            User.objects.filter(email__startswith=f"{prefix}-learner-").values_list("id", flat=True)
        )
        start_day = timezone.localdate() - timedelta(days=days - 1)

        def moment(day_offset: int) -> datetime:
            day = start_day + timedelta(days=min(day_offset, days - 1))
            return timezone.make_aware(datetime.combine(day, time.min)) + timedelta(
                seconds=rng.randrange(86_400)
            )

        enrollments = []
        pairs = set()
        for learner_id in learner_ids:
            for course in rng.sample(courses, k=min(len(courses), rng.randint(1, 4))):
                pairs.add((learner_id, course.pk, rng.randrange(days)))
        for learner_id, course_id, offset in pairs:
            enrollments.append(
                Enrollment(
                    learner_id=learner_id,
                    course_id=course_id,
                    enrolled_at=moment(offset),
                    last_activity_at=moment(offset + rng.randrange(20)),
                )
            )
        Enrollment.objects.bulk_create(enrollments, batch_size=5000)
        pair_list = list(pairs)

        def events():
            made = 0
            for learner_id, course_id, offset in pair_list:
                yield Event(
                    kind="enrolled",
                    user_id=learner_id,
                    course_id=course_id,
                    occurred_at=moment(offset),
                )
                made += 1
            while made < wanted:
                learner_id, course_id, offset = rng.choice(pair_list)
                day = offset + rng.randrange(max(days - offset, 1))
                lessons = lessons_by_course[course_id]
                lesson_id = rng.choice(lessons)
                roll = rng.random()
                common = {"user_id": learner_id, "course_id": course_id, "occurred_at": moment(day)}
                if roll < 0.7:
                    yield Event(kind="heartbeat", object_id=lesson_id, value=30, **common)
                elif roll < 0.85:
                    yield Event(kind="lesson_viewed", object_id=lesson_id, **common)
                elif roll < 0.95:
                    yield Event(kind="lesson_completed", object_id=lesson_id, **common)
                elif roll < 0.99:
                    yield Event(kind="quiz_submitted", value=rng.randrange(101), **common)
                else:
                    yield Event(kind="course_completed", **common)
                made += 1

        written = services.events_record_bulk(events=events(), batch_size=10_000)
        self.stdout.write(
            f"{len(courses)} courses, {len(learner_ids)} learners, "
            f"{len(enrollments)} enrolments, {written} events"
        )
        if not options["no_rollup"]:
            services.facts_backfill(start=start_day, end=timezone.localdate())
            self.stdout.write("Daily facts rebuilt.")
