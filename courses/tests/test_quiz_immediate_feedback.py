"""Immediate feedback: a learner checks each answer as they go and sees at once whether it is
right, the right answer and why; a checked answer is locked until the attempt is graded."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import User
from courses import services
from courses.exceptions import (
    AnswerLockedError,
    AttemptAlreadySubmittedError,
    AttemptDeadlinePassedError,
    ImmediateFeedbackOffError,
    InvalidAnswerError,
    NotAttemptOwnerError,
)
from courses.models import Course, Question, Quiz, QuizAttempt
from courses.tests.factories import EnrollmentFactory, QuestionFactory, QuizFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled_student(course: Course, student: User) -> User:
    EnrollmentFactory(course=course, learner=student)
    return student


def _quiz(course: Course, **fields: Any) -> Quiz:
    module = course.modules.order_by("order").last()
    fields.setdefault("feedback", Quiz.Feedback.IMMEDIATE)
    fields.setdefault("lesson__order", 90)
    quiz = QuizFactory(lesson__module=module, **fields)
    return Quiz.objects.select_related("lesson__module__course").get(pk=quiz.pk)


def _choice(question: Question, *, right: bool) -> int:
    return question.choices.get(is_correct=right).pk


@pytest.fixture
def quiz(course: Course) -> Quiz:
    quiz = _quiz(course, negative_marking=Decimal("0.50"))
    QuestionFactory(quiz=quiz, order=1, text="Pick the right one", explanation="It is *right*.")
    QuestionFactory(
        quiz=quiz, order=2, kind="short_answer", accepted_answers=["pandas"], text="Library?"
    )
    return quiz


def _start(quiz: Quiz, learner: User) -> QuizAttempt:
    attempt, _ = services.quiz_attempt_start(learner=learner, quiz=quiz)
    return attempt


def _questions(quiz: Quiz) -> tuple[Question, Question]:
    single, short = quiz.questions.order_by("order")
    return single, short


# --- Service --------------------------------------------------------------------------------------


def test_checking_a_right_answer_grades_it_at_once_and_locks_it(quiz, enrolled_student) -> None:
    attempt = _start(quiz, enrolled_student)
    single, _ = _questions(quiz)

    checked = services.quiz_attempt_question_check(
        learner=enrolled_student,
        attempt=attempt,
        question_id=single.pk,
        answer=_choice(single, right=True),
    )

    assert checked.submitted_at is None
    assert checked.answers == {str(single.pk): _choice(single, right=True)}
    assert checked.results == {
        str(single.pk): {"is_answered": True, "is_correct": True, "points": "1"}
    }
    stored = QuizAttempt.objects.get(pk=attempt.pk)
    assert stored.results == checked.results
    assert stored.score is None  # not graded as a whole until it is submitted


def test_a_wrong_answer_costs_the_negative_marking(quiz, enrolled_student) -> None:
    attempt = _start(quiz, enrolled_student)
    single, _ = _questions(quiz)

    checked = services.quiz_attempt_question_check(
        learner=enrolled_student,
        attempt=attempt,
        question_id=single.pk,
        answer=_choice(single, right=False),
    )

    assert checked.results[str(single.pk)] == {
        "is_answered": True,
        "is_correct": False,
        "points": "-0.50",
    }


def test_checking_the_same_answer_again_returns_the_same_result(quiz, enrolled_student) -> None:
    attempt = _start(quiz, enrolled_student)
    _, short = _questions(quiz)
    first = services.quiz_attempt_question_check(
        learner=enrolled_student, attempt=attempt, question_id=short.pk, answer="Pandas"
    )

    again = services.quiz_attempt_question_check(
        learner=enrolled_student, attempt=attempt, question_id=short.pk, answer="Pandas"
    )

    assert again.results == first.results
    assert again.results[str(short.pk)]["is_correct"] is True


def test_a_checked_answer_cannot_be_changed_anywhere(quiz, enrolled_student) -> None:
    attempt = _start(quiz, enrolled_student)
    single, short = _questions(quiz)
    wrong, right = _choice(single, right=False), _choice(single, right=True)
    services.quiz_attempt_question_check(
        learner=enrolled_student, attempt=attempt, question_id=single.pk, answer=wrong
    )
    message = "This answer has been checked and can no longer be changed."

    with pytest.raises(AnswerLockedError, match=message) as rechecked:
        services.quiz_attempt_question_check(
            learner=enrolled_student, attempt=attempt, question_id=single.pk, answer=right
        )
    with pytest.raises(AnswerLockedError):
        services.quiz_attempt_answer_save(
            learner=enrolled_student, attempt=attempt, answers={str(single.pk): right}
        )
    with pytest.raises(AnswerLockedError):
        services.quiz_attempt_submit(
            learner=enrolled_student,
            attempt=attempt,
            answers={str(single.pk): right, str(short.pk): "pandas"},
        )

    assert rechecked.value.fields == {f"answers.{single.pk}": [message]}
    stored = QuizAttempt.objects.get(pk=attempt.pk)
    assert stored.submitted_at is None
    assert stored.answers == {str(single.pk): wrong}


def test_the_submit_grades_checked_answers_as_they_were_checked(quiz, enrolled_student) -> None:
    attempt = _start(quiz, enrolled_student)
    single, short = _questions(quiz)
    wrong = _choice(single, right=False)
    services.quiz_attempt_question_check(
        learner=enrolled_student, attempt=attempt, question_id=single.pk, answer=wrong
    )

    # The form sends the checked answer again (unchanged) with the rest.
    graded = services.quiz_attempt_submit(
        learner=enrolled_student,
        attempt=attempt,
        answers={str(single.pk): wrong, str(short.pk): "pandas"},
    )

    assert graded.submitted_at is not None
    assert graded.results[str(single.pk)]["points"] == "-0.50"
    assert graded.results[str(short.pk)]["is_correct"] is True
    assert (graded.score, graded.max_score) == (Decimal("0.50"), Decimal("2.00"))


def test_a_quiz_with_feedback_after_submit_refuses_checks(course, enrolled_student) -> None:
    quiz = _quiz(course, feedback=Quiz.Feedback.AFTER_SUBMIT)
    question = QuestionFactory(quiz=quiz, order=1)
    attempt = _start(quiz, enrolled_student)

    with pytest.raises(
        ImmediateFeedbackOffError,
        match=r"This quiz shows its feedback once the attempt is submitted\.",
    ) as refused:
        services.quiz_attempt_question_check(
            learner=enrolled_student,
            attempt=attempt,
            question_id=question.pk,
            answer=_choice(question, right=True),
        )

    assert refused.value.code == "immediate_feedback_off"
    assert QuizAttempt.objects.get(pk=attempt.pk).results == {}


@pytest.mark.parametrize("answer", [None, [], "", "   "])
def test_an_empty_answer_cannot_be_checked(quiz, enrolled_student, answer) -> None:
    attempt = _start(quiz, enrolled_student)
    _, short = _questions(quiz)

    with pytest.raises(InvalidAnswerError, match=r"Answer the question before checking it\."):
        services.quiz_attempt_question_check(
            learner=enrolled_student, attempt=attempt, question_id=short.pk, answer=answer
        )

    assert QuizAttempt.objects.get(pk=attempt.pk).results == {}


def test_a_question_of_another_quiz_or_an_unknown_choice_is_refused(quiz, enrolled_student) -> None:
    attempt = _start(quiz, enrolled_student)
    single, _ = _questions(quiz)
    elsewhere = QuestionFactory()

    with pytest.raises(InvalidAnswerError, match="belongs to another quiz"):
        services.quiz_attempt_question_check(
            learner=enrolled_student,
            attempt=attempt,
            question_id=elsewhere.pk,
            answer=_choice(elsewhere, right=True),
        )
    with pytest.raises(InvalidAnswerError):
        services.quiz_attempt_question_check(
            learner=enrolled_student,
            attempt=attempt,
            question_id=single.pk,
            answer=_choice(elsewhere, right=True),
        )

    assert QuizAttempt.objects.get(pk=attempt.pk).results == {}


def test_only_the_learner_checks_their_attempt(quiz, enrolled_student, other_student) -> None:
    attempt = _start(quiz, enrolled_student)
    single, _ = _questions(quiz)

    with pytest.raises(NotAttemptOwnerError):
        services.quiz_attempt_question_check(
            learner=other_student,
            attempt=attempt,
            question_id=single.pk,
            answer=_choice(single, right=True),
        )


def test_a_submitted_or_expired_attempt_cannot_be_checked(course, enrolled_student) -> None:
    quiz = _quiz(course, time_limit_seconds=60, max_attempts=2)
    question = QuestionFactory(quiz=quiz, order=1)
    right = _choice(question, right=True)
    attempt = _start(quiz, enrolled_student)
    services.quiz_attempt_submit(learner=enrolled_student, attempt=attempt, answers={})

    with pytest.raises(AttemptAlreadySubmittedError):
        services.quiz_attempt_question_check(
            learner=enrolled_student, attempt=attempt, question_id=question.pk, answer=right
        )

    timed = _start(quiz, enrolled_student)
    later = timezone.now() + timedelta(minutes=10)
    with time_machine.travel(later), pytest.raises(AttemptDeadlinePassedError):
        services.quiz_attempt_question_check(
            learner=enrolled_student, attempt=timed, question_id=question.pk, answer=right
        )
    assert QuizAttempt.objects.get(pk=timed.pk).results.get(str(question.pk)) is None


# --- Model ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"is_exam": True}, "An exam shows its feedback after it is submitted."),
        ({"reveals_answers": False}, "Immediate feedback shows the right answers"),
    ],
)
def test_immediate_feedback_needs_a_practice_quiz_that_reveals_answers(
    course, fields, message
) -> None:
    quiz = _quiz(course, feedback=Quiz.Feedback.AFTER_SUBMIT, **fields)
    quiz.feedback = Quiz.Feedback.IMMEDIATE

    with pytest.raises(ValidationError) as invalid:
        quiz.full_clean()
    assert message in invalid.value.message_dict["feedback"][0]

    with pytest.raises(IntegrityError), transaction.atomic():
        quiz.save(update_fields=["feedback"])


# --- API ------------------------------------------------------------------------------------------


def _check_url(attempt: QuizAttempt, question: Question) -> str:
    return f"/api/v1/quiz-attempts/{attempt.pk}/questions/{question.pk}/check"


def test_the_api_checks_one_answer_and_shows_the_explanation(
    client_for, quiz, enrolled_student
) -> None:
    attempt = _start(quiz, enrolled_student)
    single, _ = _questions(quiz)
    client = client_for(enrolled_student)

    detail = client.get(f"/api/v1/quizzes/{quiz.pk}").json()
    response = client.post(
        _check_url(attempt, single), {"answer": _choice(single, right=False)}, format="json"
    )

    assert detail["feedback"] == "immediate"
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == single.pk
    assert (body["is_correct"], body["points_awarded"]) == (False, "-0.50")
    assert body["correct_choice_ids"] == [_choice(single, right=True)]
    assert body["explanation_html"] == "<p>It is <em>right</em>.</p>"
    # The attempt shows the checked question graded and the other one still open.
    running = client.get(f"/api/v1/quiz-attempts/{attempt.pk}").json()
    assert running["state"] == "in_progress"
    assert [q["is_correct"] for q in running["questions"]] == [False, None]
    assert running["questions"][1]["accepted_answers"] is None


def test_the_api_refuses_a_changed_an_empty_and_an_unchecked_answer(
    client_for, course, quiz, enrolled_student
) -> None:
    attempt = _start(quiz, enrolled_student)
    single, short = _questions(quiz)
    client = client_for(enrolled_student)
    client.post(
        _check_url(attempt, single), {"answer": _choice(single, right=False)}, format="json"
    )

    changed = client.post(
        _check_url(attempt, single), {"answer": _choice(single, right=True)}, format="json"
    )
    empty = client.post(_check_url(attempt, short), {"answer": " "}, format="json")
    missing = client.post(_check_url(attempt, short), {}, format="json")
    after_submit = _quiz(course, feedback=Quiz.Feedback.AFTER_SUBMIT, lesson__order=91)
    other_question = QuestionFactory(quiz=after_submit, order=1)
    off = client.post(
        _check_url(_start(after_submit, enrolled_student), other_question),
        {"answer": _choice(other_question, right=True)},
        format="json",
    )

    assert (changed.status_code, changed.json()["error"]["code"]) == (409, "answer_locked")
    assert changed.json()["error"]["fields"] == {
        f"answers.{single.pk}": ["This answer has been checked and can no longer be changed."]
    }
    assert (empty.status_code, empty.json()["error"]["code"]) == (400, "invalid_answer")
    assert empty.json()["error"]["message"] == "Answer the question before checking it."
    assert (missing.status_code, missing.json()["error"]["code"]) == (400, "validation_error")
    assert (off.status_code, off.json()["error"]["code"]) == (409, "immediate_feedback_off")


def test_someone_elses_attempt_is_a_404_in_the_api(
    client_for, quiz, enrolled_student, other_student
) -> None:
    attempt = _start(quiz, enrolled_student)
    single, _ = _questions(quiz)

    response = client_for(other_student).post(
        _check_url(attempt, single), {"answer": _choice(single, right=True)}, format="json"
    )

    assert response.status_code == 404
    assert QuizAttempt.objects.get(pk=attempt.pk).results == {}


# --- Pages ----------------------------------------------------------------------------------------


def _page_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _check_page_url(attempt: QuizAttempt, question: Question) -> str:
    return f"/quiz-attempts/{attempt.pk}/questions/{question.pk}/check/"


def test_the_attempt_page_offers_a_check_button_per_question(quiz, enrolled_student) -> None:
    attempt = _start(quiz, enrolled_student)
    single, short = _questions(quiz)

    page = _page_client(enrolled_student).get(f"/quiz-attempts/{attempt.pk}/").content.decode()

    assert "Check each answer as you go" in page
    assert f'hx-post="{_check_page_url(attempt, single)}"' in page
    assert f'hx-post="{_check_page_url(attempt, short)}"' in page
    assert "It is <em>right</em>" not in page  # no explanation before the check


def test_checking_with_htmx_swaps_in_the_question_with_its_feedback(quiz, enrolled_student) -> None:
    attempt = _start(quiz, enrolled_student)
    single, _ = _questions(quiz)
    wrong = _choice(single, right=False)

    response = _page_client(enrolled_student).post(
        _check_page_url(attempt, single),
        {f"question-{single.pk}": str(wrong)},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    card = response.content.decode()
    assert card.lstrip().startswith(f'<li id="question-{single.pk}-card"')
    assert "<fieldset disabled>" in card
    assert "Not quite." in card
    assert "-0.50 points." in card
    assert "(right answer)" in card
    assert "It is <em>right</em>." in card
    assert 'role="status"' in card
    assert "autofocus" in card
    assert "Check answer" not in card
    assert QuizAttempt.objects.get(pk=attempt.pk).results[str(single.pk)]["is_correct"] is False


def test_checking_nothing_with_htmx_shows_the_message_on_the_question(
    quiz, enrolled_student
) -> None:
    attempt = _start(quiz, enrolled_student)
    _, short = _questions(quiz)

    response = _page_client(enrolled_student).post(
        _check_page_url(attempt, short), {}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    card = response.content.decode()
    assert 'role="alert"' in card
    assert "Answer the question before checking it." in card
    assert f'aria-describedby="question-{short.pk}-error"' in card
    assert "Check answer" in card


def test_a_plain_post_checks_and_keeps_the_other_answers(quiz, enrolled_student) -> None:
    attempt = _start(quiz, enrolled_student)
    single, short = _questions(quiz)
    client = _page_client(enrolled_student)

    response = client.post(
        _check_page_url(attempt, short),
        {f"question-{single.pk}": str(_choice(single, right=True)), f"question-{short.pk}": "x"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/quiz-attempts/{attempt.pk}/#question-{short.pk}-card"
    stored = QuizAttempt.objects.get(pk=attempt.pk)
    assert stored.answers == {str(single.pk): _choice(single, right=True), str(short.pk): "x"}
    assert list(stored.results) == [str(short.pk)]  # only the checked question is graded
    page = client.get(response["Location"]).content.decode()
    assert "Accepted answer: pandas" in page


def test_a_check_on_a_quiz_without_immediate_feedback_says_why(course, enrolled_student) -> None:
    quiz = _quiz(course, feedback=Quiz.Feedback.AFTER_SUBMIT)
    question = QuestionFactory(quiz=quiz, order=1)
    attempt = _start(quiz, enrolled_student)
    client = _page_client(enrolled_student)

    page = client.get(f"/quiz-attempts/{attempt.pk}/").content.decode()
    htmx = client.post(
        _check_page_url(attempt, question),
        {f"question-{question.pk}": str(_choice(question, right=True))},
        headers={"HX-Request": "true"},
    )
    followed = client.get(f"/quiz-attempts/{attempt.pk}/").content.decode()

    assert "Check answer" not in page
    assert htmx.status_code == 200
    assert htmx["HX-Redirect"] == f"/quiz-attempts/{attempt.pk}/"
    assert "This quiz shows its feedback once the attempt is submitted." in followed


def test_a_question_not_in_the_attempt_is_a_404_page(quiz, enrolled_student) -> None:
    attempt = _start(quiz, enrolled_student)
    elsewhere = QuestionFactory()

    response = _page_client(enrolled_student).post(_check_page_url(attempt, elsewhere), {})

    assert response.status_code == 404


def test_the_graded_page_hides_answers_when_the_quiz_does_not_reveal_them(
    course, enrolled_student
) -> None:
    quiz = _quiz(course, feedback=Quiz.Feedback.AFTER_SUBMIT, reveals_answers=False)
    question = QuestionFactory(quiz=quiz, order=1, explanation="Secret reasoning.")
    attempt = _start(quiz, enrolled_student)
    services.quiz_attempt_submit(
        learner=enrolled_student,
        attempt=attempt,
        answers={str(question.pk): _choice(question, right=False)},
    )

    page = _page_client(enrolled_student).get(f"/quiz-attempts/{attempt.pk}/").content.decode()

    assert "Not quite." in page
    assert "(your answer)" in page
    assert "(right answer)" not in page
    assert "Secret reasoning." not in page
