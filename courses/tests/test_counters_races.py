"""Real concurrency against PostgreSQL (as tests/reliability/test_races.py): learners enrolling
in one course at the same moment, each on its own connection, all count."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from accounts.models import User
from courses import services
from courses.models import Course
from courses.tests.factories import CourseFactory, StudentFactory

ACTORS = 20

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="true concurrency needs PostgreSQL (set DATABASE_URL); SQLite serialises writers",
    ),
]


def _at_once(calls: list[Callable[[], object]]) -> Counter:
    barrier = threading.Barrier(len(calls))

    def actor(call: Callable[[], object]) -> object:
        try:
            barrier.wait(timeout=30)
            return call()
        finally:
            connections.close_all()  # this thread's connection

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return Counter(pool.map(actor, calls))


def _enroll(learner: User, course: Course) -> Callable[[], bool]:
    return lambda: services.enrollment_create(learner=learner, course=course)[1]


def test_learners_enrolling_at_once_are_all_counted() -> None:
    course = CourseFactory()
    learners = [StudentFactory() for _ in range(ACTORS)]

    created = _at_once([_enroll(learner, course) for learner in learners])

    assert created == Counter({True: ACTORS})
    course.refresh_from_db()
    assert course.enrollment_count == ACTORS == course.enrollments.count()


def test_one_learner_enrolling_many_times_at_once_counts_once() -> None:
    course, learner = CourseFactory(), StudentFactory()

    created = _at_once([_enroll(learner, course) for _ in range(ACTORS)])

    assert created == Counter({True: 1, False: ACTORS - 1})
    course.refresh_from_db()
    assert course.enrollment_count == 1
