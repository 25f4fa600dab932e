"""Real concurrency against PostgreSQL: ACTORS threads fire the same critical write at once
(released together by a barrier, each on its own database connection), ROUNDS times over; each
round must end with exactly one effect and no 5xx.

SQLite serialises every writer, so these tests prove nothing there and skip with that reason;
CI runs them on PostgreSQL (.ci/run exports DATABASE_URL).
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from accounts.tests.factories import InstructorFactory, StudentFactory
from accounts.tokens import token_pair_issue
from courses import events
from courses.models import Enrollment, QuizAttempt
from courses.services import learning, quizzes
from courses.tests.factories import CourseFactory, ModuleFactory, quiz_lesson
from gamification.models import LearnerStats, XpTransaction
from qa.models import StarRating, XpAward
from qa.tests.factories import make_answer, make_question

ACTORS = 20
ROUNDS = int(os.environ.get("RACE_ROUNDS", "3"))

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="true concurrency needs PostgreSQL (set DATABASE_URL); SQLite serialises writers",
    ),
]


def _at_once(call: Callable[[], int]) -> Counter:
    """Run `call` in ACTORS threads released together; return the count of each status code."""
    barrier = threading.Barrier(ACTORS)

    def actor() -> int:
        try:
            barrier.wait(timeout=30)
            return call()
        finally:
            connections.close_all()  # this thread's connection

    with ThreadPoolExecutor(max_workers=ACTORS) as pool:
        return Counter(pool.map(lambda _: actor(), range(ACTORS)))


class _SignalCounter:
    def __init__(self, signal) -> None:
        self.signal, self.count, self._lock = signal, 0, threading.Lock()

    def __call__(self, **kwargs) -> None:
        with self._lock:
            self.count += 1

    def __enter__(self) -> _SignalCounter:
        self.signal.connect(self, weak=False)
        return self

    def __exit__(self, *exc) -> None:
        self.signal.disconnect(self)


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_simultaneous_enrollments_make_one(round_):
    learner, course = StudentFactory(), CourseFactory()
    url = f"/api/v1/courses/{course.pk}/enroll"

    with _SignalCounter(events.learner_enrolled) as enrolled:
        statuses = _at_once(lambda: _client(learner).post(url).status_code)

    assert statuses == Counter({201: 1, 200: ACTORS - 1})
    assert Enrollment.objects.filter(learner=learner, course=course).count() == 1
    assert enrolled.count == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_simultaneous_submissions_grade_once(round_):
    learner = StudentFactory()
    course = CourseFactory()
    quiz = quiz_lesson(ModuleFactory(course=course, order=1), order=1, questions=2)
    learning.enrollment_create(learner=learner, course=course)
    attempt, _ = quizzes.quiz_attempt_start(learner=learner, quiz=quiz)
    url = f"/api/v1/quiz-attempts/{attempt.pk}/submit"

    with _SignalCounter(events.quiz_attempt_submitted) as submitted:
        statuses = _at_once(
            lambda: _client(learner).post(url, {"answers": {}}, format="json").status_code
        )

    assert statuses[200] == 1, statuses
    assert all(400 <= code < 500 for code in statuses if code != 200), statuses
    assert submitted.count == 1
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None
    assert QuizAttempt.objects.filter(learner=learner, quiz=quiz).count() == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_one_refresh_token_used_at_once_rotates_once(round_):
    refresh = token_pair_issue(user=StudentFactory())["refresh"]

    statuses = _at_once(
        lambda: (
            APIClient()
            .post("/api/v1/auth/refresh", {"refresh": refresh}, format="json")
            .status_code
        )
    )

    assert statuses == Counter({200: 1, 401: ACTORS - 1})


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_one_xp_grant_retried_at_once_grants_once(round_):
    """A client (or a task) retrying a grant with the same idempotency key, all at once."""
    learner, instructor = StudentFactory(), InstructorFactory()
    course = CourseFactory(instructors=[instructor])
    learning.enrollment_create(learner=learner, course=course)
    body = {
        "user": learner.pk,
        "amount": 7,
        "reason": "Helped in the live session",
        "idempotency_key": f"race-{round_}",
        "course": course.pk,
    }

    statuses = _at_once(
        lambda: _client(instructor).post("/api/v1/gamification/xp", body, format="json").status_code
    )

    assert all(code in (200, 201) for code in statuses), statuses
    rows = XpTransaction.objects.filter(user=learner, reason="Helped in the live session")
    assert rows.count() == 1
    assert LearnerStats.objects.get(user=learner).total_xp == 7


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_simultaneous_ratings_of_one_answer_award_once(round_):
    """The asker double-clicks "award XP" (or two tabs): one award, the author's XP once."""
    asker, author = StudentFactory(), StudentFactory()
    question = make_question(asker=asker)
    answer = make_answer(question=question, author=author)
    url = f"/api/v1/answers/{answer.pk}/rate"

    statuses = _at_once(lambda: _client(asker).put(url, {"xp": 5}, format="json").status_code)

    assert all(code < 500 for code in statuses), statuses
    assert statuses[200] >= 1, statuses
    assert XpAward.objects.filter(answer=answer).count() == 1
    assert LearnerStats.objects.get(user=author).total_xp == 5


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_simultaneous_star_ratings_by_one_rater_count_once(round_):
    rater = StudentFactory()
    answer = make_answer(question=make_question())
    url = f"/api/v1/answers/{answer.pk}/star"

    statuses = _at_once(lambda: _client(rater).put(url, {"stars": 4}, format="json").status_code)

    assert all(code < 500 for code in statuses), statuses
    assert StarRating.objects.filter(answer=answer, rater=rater).count() == 1
    answer.refresh_from_db()
    assert (answer.star_count, answer.star_total) == (1, 4)
