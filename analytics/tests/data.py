"""Deterministic random events for the analytics tests, and an independent raw-event reference."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from analytics.models import Event
from courses.tests.factories import StudentFactory, course_with_outline

START = date(2026, 3, 2)  # a Monday
DAYS = 21


def at(day: date, seconds: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min)) + timedelta(seconds=seconds)


def generate(*, instructor, seed: int = 7, learners: int = 12, courses: int = 2):
    rng = random.Random(seed)
    made = [
        course_with_outline(modules=2, lessons_per_module=2, instructors=[instructor])
        for _ in range(courses)
    ]
    students = [StudentFactory() for _ in range(learners)]
    events = []
    for course in made:
        lesson_ids = list(
            course.modules.values_list("lessons__id", flat=True).order_by("order", "lessons__order")
        )
        for student in students:
            if rng.random() < 0.25:
                continue
            day_index = rng.randrange(DAYS)
            day = START + timedelta(days=day_index)
            events.append(
                Event(
                    kind="enrolled",
                    user=student,
                    course=course,
                    occurred_at=at(day, rng.randrange(3600)),
                )
            )
            done = rng.randrange(len(lesson_ids) + 1)
            for n, lesson_id in enumerate(lesson_ids[:done]):
                day = min(day + timedelta(days=rng.randrange(3)), START + timedelta(days=DAYS - 1))
                moment = at(day, 4000 + n * 100 + rng.randrange(50))
                events.append(
                    Event(
                        kind="heartbeat",
                        user=student,
                        course=course,
                        object_id=lesson_id,
                        value=rng.randrange(1, 61),
                        occurred_at=moment,
                    )
                )
                events.append(
                    Event(
                        kind="lesson_completed",
                        user=student,
                        course=course,
                        object_id=lesson_id,
                        occurred_at=moment,
                    )
                )
            if done == len(lesson_ids):
                events.append(
                    Event(
                        kind="course_completed",
                        user=student,
                        course=course,
                        occurred_at=at(day, 80000),
                    )
                )
        events.append(Event(kind="course_published", course=course, occurred_at=at(START, 10)))
    events.extend(
        Event(
            kind="login",
            user=student,
            occurred_at=at(START + timedelta(days=rng.randrange(DAYS)), 5),
        )
        for student in students[:5]
    )
    Event.objects.bulk_create(events)
    return made, students


def reference(course_ids: set[int], start: date, end: date) -> dict:
    """Figures computed straight from the raw events, without the facts or the selectors."""
    rows = list(Event.objects.order_by("occurred_at", "id").values())
    in_range = lambda row: start <= timezone.localtime(row["occurred_at"]).date() <= end  # noqa: E731
    lessons_per_course = dict.fromkeys(course_ids, 4)
    funnel = {"enrolled": 0, "started": 0, "halfway": 0, "completed": 0}
    completed_so_far: dict[tuple, set] = defaultdict(set)
    for row in rows:
        if row["course_id"] not in course_ids:
            continue
        if row["kind"] == "lesson_completed":
            key = (row["user_id"], row["course_id"])
            before = len(completed_so_far[key])
            completed_so_far[key].add(row["object_id"])
            after = len(completed_so_far[key])
            if in_range(row) and after > before:
                half = math.ceil(lessons_per_course[row["course_id"]] / 2)
                funnel["started"] += before == 0
                funnel["halfway"] += before < half <= after
        if not in_range(row):
            continue
        if row["kind"] == "enrolled":
            funnel["enrolled"] += 1
        if row["kind"] == "course_completed":
            funnel["completed"] += 1
    active: dict[date, set] = defaultdict(set)
    seconds: dict[date, int] = defaultdict(int)
    for row in rows:
        if (
            row["course_id"] in course_ids
            and row["user_id"]
            and in_range(row)
            and row["kind"] != "course_published"
        ):
            day = timezone.localtime(row["occurred_at"]).date()
            active[day].add(row["user_id"])
            if row["kind"] == "heartbeat":
                seconds[day] += row["value"]
    return {"funnel": funnel, "active": active, "seconds": seconds}
