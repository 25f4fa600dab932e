"""Badge progress counts what the learner did, from the tables that record it: a daily XP cap
stops minting XP, never a badge's progress."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import override_settings

from accounts.models import User
from courses import services as course_services
from courses.models import Course, Lesson
from courses.tests.factories import EnrollmentFactory, course_with_outline, quiz_lesson
from gamification import services
from gamification.achievements import Metric
from gamification.models import UserAchievement, XpTransaction
from gamification.rules import Action
from gamification.selectors import achievement_list_for_user, achievement_metrics

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)
# One lesson's XP (10, plus a streak bonus of 1) fills the day's cap of 11.
TIGHT_CAPS = {"DAILY_CAP": {"lesson_completed": 11, "review_done": 2, "quiz_passed": 26}}


def _lessons(student: User, count: int) -> list[Lesson]:
    course = course_with_outline(
        modules=1, lessons_per_module=count, difficulty=Course.Difficulty.BEGINNER
    )
    EnrollmentFactory(learner=student, course=course)
    return list(Lesson.objects.filter(module__course=course).order_by("order"))


def _progress(student: User, code: str) -> int:
    return next(
        s.progress for s in achievement_list_for_user(user=student) if s.achievement.code == code
    )


@override_settings(GAMIFICATION=TIGHT_CAPS)
def test_lessons_past_the_daily_cap_still_count_toward_the_lesson_badges(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    lessons = _lessons(student, 4)

    with time_machine.travel(NOON, tick=False):
        for lesson in lessons[:3]:
            with django_capture_on_commit_callbacks(execute=True):
                course_services.lesson_complete(learner=student, lesson=lesson)

    # The ledger minted XP for the first lesson only: the cap held.
    assert XpTransaction.objects.filter(user=student, action=Action.LESSON_COMPLETED).count() == 1
    assert achievement_metrics(user=student)[Metric.LESSONS_COMPLETED] == 3
    assert _progress(student, "lessons-10") == 3
    assert UserAchievement.objects.filter(user=student, code="lessons-1").exists()


@override_settings(GAMIFICATION=TIGHT_CAPS)
def test_reviews_past_the_daily_cap_still_count_toward_the_revision_badges(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    from learning import services as learning_services
    from learning.models import ReviewCard

    course = _lessons(student, 1)[0].module.course
    quiz = quiz_lesson(course.modules.get(), order=5, questions=3, max_attempts=None)
    with time_machine.travel(NOON - dt.timedelta(days=1), tick=False):
        attempt, _ = course_services.quiz_attempt_start(learner=student, quiz=quiz)
        with django_capture_on_commit_callbacks(execute=True):
            course_services.quiz_attempt_submit(learner=student, attempt=attempt, answers={})
    assert ReviewCard.objects.filter(learner=student).count() == 3
    # The attempt made three cards; they are due by noon the next day.
    with time_machine.travel(NOON, tick=False):
        for card in ReviewCard.objects.filter(learner=student):
            with django_capture_on_commit_callbacks(execute=True):
                learning_services.review_submit(learner=student, card_id=card.pk, rating="good")

    assert XpTransaction.objects.filter(user=student, action=Action.REVIEW_DONE).count() == 1
    assert achievement_metrics(user=student)[Metric.REVIEWS_DONE] == 3
    assert _progress(student, "reviews-50") == 3


def test_passing_a_quiz_again_counts_once_and_a_perfect_score_once_per_quiz(
    student: User,
) -> None:
    course = _lessons(student, 1)[0].module.course
    quiz = quiz_lesson(course.modules.get(), order=5, questions=2, max_attempts=None)
    right = {str(q.pk): q.choices.get(is_correct=True).pk for q in quiz.questions.all()}
    one_right = dict(list(right.items())[:1])
    for answers in (right, right, one_right):
        attempt, _ = course_services.quiz_attempt_start(learner=student, quiz=quiz)
        course_services.quiz_attempt_submit(learner=student, attempt=attempt, answers=answers)

    metrics = achievement_metrics(user=student)

    assert (metrics[Metric.QUIZZES_PASSED], metrics[Metric.PERFECT_QUIZZES]) == (1, 1)
    assert metrics[Metric.LESSONS_COMPLETED] == 1  # passing completed the quiz lesson


def test_a_night_lesson_counts_in_the_learners_own_time(student: User) -> None:
    student.time_zone = "Asia/Tokyo"  # 14:30 UTC is 23:30 in Tokyo
    student.save(update_fields=["time_zone"])
    first, second = _lessons(student, 2)
    with time_machine.travel(dt.datetime(2026, 5, 4, 14, 30, tzinfo=dt.UTC), tick=False):
        course_services.lesson_complete(learner=student, lesson=first)
    with time_machine.travel(dt.datetime(2026, 5, 4, 21, 30, tzinfo=dt.UTC), tick=False):
        course_services.lesson_complete(learner=student, lesson=second)  # 06:30 in Tokyo

    metrics = achievement_metrics(user=student)

    assert (metrics[Metric.NIGHT_LESSONS], metrics[Metric.MORNING_LESSONS]) == (1, 1)


def test_a_lesson_deleted_after_it_was_completed_keeps_counting(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    lesson = _lessons(student, 2)[0]
    with django_capture_on_commit_callbacks(execute=True):
        course_services.lesson_complete(learner=student, lesson=lesson)

    lesson.delete()

    assert achievement_metrics(user=student)[Metric.LESSONS_COMPLETED] == 1


def test_an_answer_rewarded_twice_within_its_window_is_one_answer_rewarded(
    student: User, other_student: User
) -> None:
    from qa import services as qa_services
    from qa.tests.factories import make_answer, make_question

    question = make_question(asker=other_student)
    answer = make_answer(question=question, author=student)
    with time_machine.travel(NOON, tick=False):
        qa_services.answer_rate(answer=answer, asker=other_student, xp=3)
    with time_machine.travel(NOON + dt.timedelta(minutes=2), tick=False):
        qa_services.answer_rate(answer=answer, asker=other_student, xp=8)

    metrics = achievement_metrics(user=student)

    assert XpTransaction.objects.filter(user=student, action=Action.ANSWER_RATED).count() == 2
    assert (metrics[Metric.ANSWERS_REWARDED], metrics[Metric.ANSWER_XP_RECEIVED]) == (1, 8)


@override_settings(GAMIFICATION={"DAILY_CAP": {"answer_rated": 5}})
def test_answers_rewarded_past_the_daily_cap_still_count(
    student: User, other_student: User
) -> None:
    from qa import services as qa_services
    from qa.tests.factories import make_answer, make_question

    question = make_question(asker=other_student)
    for _ in range(3):
        qa_services.answer_rate(
            answer=make_answer(question=question, author=student), asker=other_student, xp=5
        )

    metrics = achievement_metrics(user=student)

    assert (metrics[Metric.ANSWERS_REWARDED], metrics[Metric.ANSWER_XP_RECEIVED]) == (3, 5)


def test_the_metrics_run_a_fixed_number_of_queries(
    student: User, django_assert_num_queries: Any
) -> None:
    # The ledger, activity days, stats, study groups, courses' progress, attempts and
    # enrollments, learning's reviews and challenges, and the help center's awards.
    lessons = _lessons(student, 12)
    course_services.lesson_complete(learner=student, lesson=lessons[0])
    with django_assert_num_queries(10):
        achievement_metrics(user=student)
    for lesson in lessons[1:]:
        course_services.lesson_complete(learner=student, lesson=lesson)
        services.xp_award(
            user=student, action=Action.LESSON_COMPLETED, idempotency_key=f"l{lesson.pk}"
        )
    with django_assert_num_queries(10):
        assert achievement_metrics(user=student)[Metric.LESSONS_COMPLETED] == 12
