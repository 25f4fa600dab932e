"""Edges of quiz grading: empty quizzes, bad answers, removed questions, expiry, staff attempts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from accounts.models import User
from courses import services
from courses.exceptions import (
    AttemptStartRequiredError,
    InvalidAnswerError,
    QuizHasNoQuestionsError,
)
from courses.models import Course, LessonProgress, Question, Quiz, QuizAttempt
from courses.tests.factories import EnrollmentFactory, QuestionFactory, QuizFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled_student(course: Course, student: User) -> User:
    EnrollmentFactory(course=course, learner=student)
    return student


def _quiz(course: Course, **fields: Any) -> Quiz:
    module = course.modules.order_by("order").last()
    quiz = QuizFactory(lesson__module=module, lesson__order=90, **fields)
    return Quiz.objects.select_related("lesson__module__course").get(pk=quiz.pk)


def _right(question: Question) -> int:
    return question.choices.get(is_correct=True).pk


def test_a_quiz_without_questions_cannot_be_started(course, enrolled_student) -> None:
    quiz = _quiz(course)

    with pytest.raises(QuizHasNoQuestionsError, match=r"This quiz has no questions yet\."):
        services.quiz_attempt_start(learner=enrolled_student, quiz=quiz)

    assert QuizAttempt.objects.count() == 0


def test_a_shuffled_draw_from_the_bank_takes_the_sample_size(course, enrolled_student) -> None:
    quiz = _quiz(course, question_bank_sample_size=2, shuffle_questions=True)
    bank = {QuestionFactory(quiz=quiz, order=n).pk for n in range(1, 5)}

    attempt, created = services.quiz_attempt_start(learner=enrolled_student, quiz=quiz)

    assert created is True
    assert len(attempt.question_ids) == 2
    assert set(attempt.question_ids) <= bank


@pytest.mark.parametrize("answers", [["not", "an", "object"], "text", 7])
def test_answers_that_are_not_an_object_are_refused(course, enrolled_student, answers) -> None:
    quiz = _quiz(course)
    QuestionFactory(quiz=quiz, order=1)
    attempt, _ = services.quiz_attempt_start(learner=enrolled_student, quiz=quiz)

    with pytest.raises(InvalidAnswerError) as refused:
        services.quiz_attempt_submit(learner=enrolled_student, attempt=attempt, answers=answers)

    message = "Send the answers as an object keyed by question id."
    assert refused.value.fields == {"answers": [message]}
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_an_answer_to_a_question_removed_since_the_start_is_refused(
    course, enrolled_student
) -> None:
    quiz = _quiz(course)
    kept = QuestionFactory(quiz=quiz, order=1)
    removed = QuestionFactory(quiz=quiz, order=2)
    attempt, _ = services.quiz_attempt_start(learner=enrolled_student, quiz=quiz)
    removed_id = removed.pk
    removed.delete()

    with pytest.raises(InvalidAnswerError) as refused:
        services.quiz_attempt_submit(
            learner=enrolled_student,
            attempt=attempt,
            answers={str(kept.pk): _right(kept), str(removed_id): 1},
        )

    assert refused.value.fields == {
        f"answers.{removed_id}": [f"Question {removed_id} has been removed from this quiz."]
    }


def test_a_question_removed_since_the_start_counts_for_nobody(course, enrolled_student) -> None:
    quiz = _quiz(course)
    kept = QuestionFactory(quiz=quiz, order=1, points=2)
    removed = QuestionFactory(quiz=quiz, order=2, points=3)
    attempt, _ = services.quiz_attempt_start(learner=enrolled_student, quiz=quiz)
    removed.delete()

    graded = services.quiz_attempt_submit(
        learner=enrolled_student, attempt=attempt, answers={str(kept.pk): _right(kept)}
    )

    assert (graded.score, graded.max_score, graded.percent) == (
        Decimal("2.00"),
        Decimal("2.00"),
        Decimal("100.00"),
    )
    assert set(graded.results) == {str(kept.pk)}


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (Question.Kind.SHORT_ANSWER, 42, "Answer this question with text."),
        (Question.Kind.SHORT_ANSWER, "x" * 501, "Answers are limited to 500 characters."),
        (Question.Kind.MULTIPLE, 3, "Answer this question with a list of choice ids."),
        (Question.Kind.MULTIPLE, [True], "Answer this question with a list of choice ids."),
    ],
)
def test_answers_of_the_wrong_shape_are_refused(
    course, enrolled_student, kind, value, message
) -> None:
    quiz = _quiz(course)
    question = QuestionFactory(quiz=quiz, order=1, kind=kind, accepted_answers=["pandas"])
    attempt, _ = services.quiz_attempt_start(learner=enrolled_student, quiz=quiz)

    with pytest.raises(InvalidAnswerError) as refused:
        services.quiz_attempt_answer_save(
            learner=enrolled_student, attempt=attempt, answers={str(question.pk): value}
        )

    assert refused.value.fields == {f"answers.{question.pk}": [message]}
    attempt.refresh_from_db()
    assert attempt.answers == {}


def test_an_empty_answer_leaves_the_question_unanswered(course, enrolled_student) -> None:
    quiz = _quiz(course)
    short = QuestionFactory(
        quiz=quiz, order=1, kind=Question.Kind.SHORT_ANSWER, accepted_answers=["Pandas"]
    )
    single = QuestionFactory(quiz=quiz, order=2)
    attempt, _ = services.quiz_attempt_start(learner=enrolled_student, quiz=quiz)

    graded = services.quiz_attempt_submit(
        learner=enrolled_student,
        attempt=attempt,
        answers={str(short.pk): "  pandas ", str(single.pk): ""},
    )

    assert graded.answers == {str(short.pk): "pandas"}
    assert graded.results[str(single.pk)] == {
        "is_answered": False,
        "is_correct": False,
        "points": "0",
    }
    assert graded.results[str(short.pk)]["is_correct"] is True


def test_a_timed_quiz_cannot_be_taken_in_one_call_but_its_running_attempt_can(
    course, enrolled_student
) -> None:
    quiz = _quiz(course, time_limit_seconds=600)
    question = QuestionFactory(quiz=quiz, order=1)
    answers = {str(question.pk): _right(question)}

    with pytest.raises(AttemptStartRequiredError, match="start an attempt first"):
        services.quiz_attempt_take(learner=enrolled_student, quiz=quiz, answers=answers)
    assert QuizAttempt.objects.count() == 0  # refused answers leave no attempt behind

    services.quiz_attempt_start(learner=enrolled_student, quiz=quiz)
    graded, created = services.quiz_attempt_take(
        learner=enrolled_student, quiz=quiz, answers=answers
    )

    assert created is False
    assert (graded.percent, graded.passed) == (Decimal("100.00"), True)


def test_an_expired_attempt_is_closed_with_the_answers_saved_in_time(
    course, enrolled_student
) -> None:
    quiz = _quiz(course, time_limit_seconds=60)
    first = QuestionFactory(quiz=quiz, order=1)
    QuestionFactory(quiz=quiz, order=2)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        attempt, _ = services.quiz_attempt_start(learner=enrolled_student, quiz=quiz)
        services.quiz_attempt_answer_save(
            learner=enrolled_student, attempt=attempt, answers={str(first.pk): _right(first)}
        )

    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        still_running = services.quiz_attempt_close_expired(attempt=attempt)
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        closed = services.quiz_attempt_close_expired(attempt=attempt)
        closed_again = services.quiz_attempt_close_expired(attempt=attempt)

    assert still_running.submitted_at is None
    assert closed.submitted_at == attempt.deadline
    assert (closed.score, closed.max_score, closed.passed) == (
        Decimal("1.00"),
        Decimal("2.00"),
        True,
    )
    assert closed_again.submitted_at == closed.submitted_at
    assert QuizAttempt.objects.get().submitted_at == attempt.deadline


def test_an_instructor_passing_their_own_quiz_completes_no_lesson(course, instructor) -> None:
    quiz = _quiz(course)
    question = QuestionFactory(quiz=quiz, order=1)
    attempt, _ = services.quiz_attempt_start(learner=instructor, quiz=quiz)

    graded = services.quiz_attempt_submit(
        learner=instructor, attempt=attempt, answers={str(question.pk): _right(question)}
    )

    assert graded.passed is True
    assert LessonProgress.objects.filter(learner=instructor).count() == 0
