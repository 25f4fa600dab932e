"""Courses' events award XP through Celery by the formula, and repeats mint nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from courses import services as courses_services
from courses.models import Lesson
from courses.tests.factories import quiz_lesson
from gamification.models import XpLedgerEntry
from gamification.tests.ledger import ledger_total

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def _actions(user) -> list[tuple[str, int]]:
    return list(
        XpLedgerEntry.objects.filter(user=user).order_by("id").values_list("action", "amount")
    )


@time_machine.travel(MONDAY, tick=False)
def test_completing_a_lesson_awards_xp_once_even_when_toggled_off_and_on(
    learner, course, django_capture_on_commit_callbacks
) -> None:
    course.difficulty = "intermediate"
    course.save(update_fields=["difficulty"])
    courses_services.enrollment_create(learner=learner, course=course)
    lesson = Lesson.objects.filter(module__course=course).order_by("module__order", "order")[0]
    with django_capture_on_commit_callbacks(execute=True):
        courses_services.lesson_complete(learner=learner, lesson=lesson)
    # 10 x 1.25 = 12.5 -> 13, + streak bonus 1; then the streak day's 5.
    assert _actions(learner) == [("lesson_completed", 14), ("streak_day", 5)]
    with django_capture_on_commit_callbacks(execute=True):
        courses_services.lesson_uncomplete(learner=learner, lesson=lesson)
        courses_services.lesson_complete(learner=learner, lesson=lesson)
    assert ledger_total(learner) == 19


@time_machine.travel(MONDAY, tick=False)
def test_passing_a_quiz_pays_once_however_often_it_is_retaken(
    learner, course, django_capture_on_commit_callbacks
) -> None:
    quiz = quiz_lesson(course.modules.first(), order=9, questions=1, max_attempts=None)
    question = quiz.questions.get()
    right = question.choices.get(text="right").pk
    courses_services.enrollment_create(learner=learner, course=course)
    for _ in range(2):
        attempt, _ = courses_services.quiz_attempt_start(learner=learner, quiz=quiz)
        with django_capture_on_commit_callbacks(execute=True):
            courses_services.quiz_attempt_submit(
                learner=learner, attempt=attempt, answers={str(question.pk): right}
            )
    actions = [action for action, _ in _actions(learner)]
    assert actions.count("quiz_passed") == 1
    assert actions.count("quiz_perfect") == 1
    assert actions.count("lesson_completed") == 1  # the quiz lesson completes once
    assert dict(_actions(learner))["quiz_passed"] == 21  # 20 x 1.0 + streak bonus 1
