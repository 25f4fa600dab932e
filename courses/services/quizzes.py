"""Quiz attempts: starting (attempt limit, random draw, shuffling, deadline), saving answers,
checking one answer at a time (immediate feedback), grading on the server (negative marking,
never below zero) and closing attempts whose time ran out.
"""

from __future__ import annotations

import functools
import random
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from courses import events
from courses.entitlements import is_course_staff
from courses.exceptions import (
    AnswerLockedError,
    AttemptAlreadySubmittedError,
    AttemptDeadlinePassedError,
    AttemptLimitReachedError,
    AttemptStartRequiredError,
    ImmediateFeedbackOffError,
    InvalidAnswerError,
    NotAttemptOwnerError,
    NotEnrolledError,
    QuizHasNoQuestionsError,
)
from courses.models import (
    QUIZ_DEADLINE_GRACE_SECONDS,
    Enrollment,
    LessonProgress,
    Question,
    Quiz,
    QuizAttempt,
)
from courses.selectors import lesson_access_error
from courses.services.learning import progress_complete

DEADLINE_GRACE_SECONDS = QUIZ_DEADLINE_GRACE_SECONDS
SHORT_ANSWER_MAX_LENGTH = 500
_CENT = Decimal("0.01")
_random = random.SystemRandom()


def normalize_short_answer(text: str) -> str:
    """Compare short answers without regard to case or spacing."""
    return " ".join(text.split()).casefold()


def _quiz_access_check(learner: User, quiz: Quiz) -> Enrollment | None:
    """Enrolled learners (and the course's staff, who are not graded into progress) may attempt."""
    lesson = quiz.lesson
    course = lesson.module.course
    enrollment = Enrollment.objects.filter(learner=learner, course=course).first()
    if enrollment is None and not is_course_staff(learner, course):
        raise NotEnrolledError("Enroll in this course to take its quizzes.")
    error = lesson_access_error(user=learner, lesson=lesson, is_enrolled=enrollment is not None)
    if error is not None:
        raise error
    return enrollment


def _draw(quiz: Quiz) -> tuple[list[int], dict[str, list[int]]]:
    """The questions of one attempt (a random subset when the quiz draws from a bank, shuffled
    when asked) and, per choice question, the order of its choices."""
    questions = list(quiz.questions.prefetch_related("choices").order_by("order", "id"))
    if not questions:
        raise QuizHasNoQuestionsError("This quiz has no questions yet.")
    drawn = questions
    sample_size = quiz.question_bank_sample_size
    if sample_size and sample_size < len(questions):
        drawn = _random.sample(questions, sample_size)
        if not quiz.shuffle_questions:
            drawn.sort(key=lambda question: (question.order, question.id))
    elif quiz.shuffle_questions:
        drawn = questions[:]
        _random.shuffle(drawn)
    choice_order: dict[str, list[int]] = {}
    for question in drawn:
        if question.kind not in Question.CHOICE_KINDS:
            continue
        choice_ids = [choice.id for choice in question.choices.all()]
        # True/false stays in its written order: "False, True" only confuses.
        if quiz.shuffle_choices and question.kind != Question.Kind.TRUE_FALSE:
            _random.shuffle(choice_ids)
        choice_order[str(question.id)] = choice_ids
    return [question.id for question in drawn], choice_order


@transaction.atomic
def quiz_attempt_start(*, learner: User, quiz: Quiz) -> tuple[QuizAttempt, bool]:
    """Start an attempt (or return the one still running, and False): attempts are limited,
    questions drawn and shuffled on the server, and the deadline set from the time limit."""
    _quiz_access_check(learner, quiz)
    # One learner starts one attempt at a time: lock their row while counting attempts.
    User.objects.select_for_update().filter(pk=learner.pk).first()
    open_attempt = QuizAttempt.objects.filter(
        learner=learner, quiz=quiz, submitted_at__isnull=True
    ).first()
    if open_attempt is not None:
        if not _is_past_grace(open_attempt, timezone.now()):
            return open_attempt, False
        _attempt_grade(open_attempt, submitted_at=open_attempt.deadline or timezone.now())
    used = (
        QuizAttempt.objects.filter(learner=learner, quiz=quiz).aggregate(highest=Max("number"))[
            "highest"
        ]
        or 0
    )
    if quiz.max_attempts is not None and used >= quiz.max_attempts:
        raise AttemptLimitReachedError(
            f"You have used all {quiz.max_attempts} attempts at this quiz.",
            extra={"max_attempts": quiz.max_attempts},
        )
    question_ids, choice_order = _draw(quiz)
    now = timezone.now()
    attempt = QuizAttempt.objects.create(
        learner=learner,
        quiz=quiz,
        number=used + 1,
        started_at=now,
        deadline=now + timedelta(seconds=quiz.time_limit_seconds)
        if quiz.time_limit_seconds
        else None,
        question_ids=question_ids,
        choice_order=choice_order,
    )
    return attempt, True


def _is_past_grace(attempt: QuizAttempt, now: datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline + timedelta(
        seconds=DEADLINE_GRACE_SECONDS
    )


def _locked_open_attempt(attempt: QuizAttempt, learner: User) -> QuizAttempt:
    attempt = (
        QuizAttempt.objects.select_for_update()
        .select_related("quiz__lesson__module__course")
        .get(pk=attempt.pk)
    )
    if attempt.learner_id != learner.pk:
        raise NotAttemptOwnerError("Quiz attempt not found.")
    if attempt.submitted_at is not None:
        raise AttemptAlreadySubmittedError("This attempt has already been submitted.")
    if _is_past_grace(attempt, timezone.now()):
        raise AttemptDeadlinePassedError(
            "Time is up for this attempt; answers can no longer be changed.",
            extra={"deadline": attempt.deadline.isoformat() if attempt.deadline else None},
        )
    return attempt


def _clean_answers(attempt: QuizAttempt, answers: Any) -> dict[str, Any]:
    """Answers keyed by question id, each checked against the questions drawn for the attempt."""
    if not isinstance(answers, dict):
        raise InvalidAnswerError(
            "Send the answers as an object keyed by question id.",
            fields={"answers": ["Send the answers as an object keyed by question id."]},
        )
    drawn = {str(question_id) for question_id in attempt.question_ids}
    questions = {
        str(question.id): question
        for question in Question.objects.filter(id__in=attempt.question_ids)
    }
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for key, value in answers.items():
        key = str(key).strip()
        field = f"answers.{key}"
        if key not in drawn:
            elsewhere = (
                key.isdigit()
                and Question.objects.filter(pk=int(key)).exclude(quiz_id=attempt.quiz_id).exists()
            )
            errors[field] = [
                f"Question {key} belongs to another quiz."
                if elsewhere
                else f"Question {key} is not part of this attempt."
            ]
            continue
        question = questions.get(key)
        if question is None:
            errors[field] = [f"Question {key} has been removed from this quiz."]
            continue
        if value is None or value == [] or value == "":
            continue  # unanswered
        error = _answer_error(question, value, attempt.choice_order.get(key, []))
        if error:
            errors[field] = [error]
            continue
        if question.kind == Question.Kind.MULTIPLE:
            value = sorted(set(value))
        elif question.kind == Question.Kind.SHORT_ANSWER:
            value = value.strip()
        cleaned[key] = value
    if errors:
        raise InvalidAnswerError(next(iter(errors.values()))[0], fields=errors)
    return cleaned


def _answer_error(question: Question, value: Any, choice_ids: list[int]) -> str:
    if question.kind == Question.Kind.SHORT_ANSWER:
        if not isinstance(value, str):
            return "Answer this question with text."
        if len(value) > SHORT_ANSWER_MAX_LENGTH:
            return f"Answers are limited to {SHORT_ANSWER_MAX_LENGTH} characters."
        return ""
    if question.kind == Question.Kind.MULTIPLE:
        if not isinstance(value, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in value
        ):
            return "Answer this question with a list of choice ids."
        chosen = value
    else:
        if not isinstance(value, int) or isinstance(value, bool):
            return "Answer this question with one choice id."
        chosen = [value]
    unknown = [choice_id for choice_id in chosen if choice_id not in choice_ids]
    if unknown:
        return f"Choice {unknown[0]} is not a choice of this question."
    return ""


def _merged_answers(attempt: QuizAttempt, answers: Any) -> dict[str, Any]:
    """The attempt's answers with `answers` cleaned and added; a checked answer (immediate
    feedback) may be sent again unchanged, never changed."""
    cleaned = _clean_answers(attempt, answers)
    locked = {
        f"answers.{key}": ["This answer has been checked and can no longer be changed."]
        for key, value in cleaned.items()
        if key in attempt.results and attempt.answers.get(key) != value
    }
    if locked:
        raise AnswerLockedError(next(iter(locked.values()))[0], fields=locked)
    return {**attempt.answers, **cleaned}


@transaction.atomic
def quiz_attempt_answer_save(
    *, learner: User, attempt: QuizAttempt, answers: dict[str, Any]
) -> QuizAttempt:
    """Save some answers of a running attempt (autosave); they are graded when it is submitted
    or when its time runs out."""
    attempt = _locked_open_attempt(attempt, learner)
    attempt.answers = _merged_answers(attempt, answers)
    attempt.save(update_fields=["answers"])
    return attempt


@transaction.atomic
def quiz_attempt_question_check(
    *, learner: User, attempt: QuizAttempt, question_id: int, answer: Any
) -> QuizAttempt:
    """Immediate feedback: grade one answer of a running attempt now, as the submit will grade
    it, and record the result in `attempt.results`, which locks the answer. Checking it again
    with the same answer returns the same result; another answer is refused."""
    attempt = _locked_open_attempt(attempt, learner)
    quiz = attempt.quiz
    if quiz.feedback != Quiz.Feedback.IMMEDIATE:
        raise ImmediateFeedbackOffError(
            "This quiz shows its feedback once the attempt is submitted.",
        )
    key = str(question_id)
    if answer is None or answer == [] or (isinstance(answer, str) and not answer.strip()):
        raise InvalidAnswerError(
            "Answer the question before checking it.",
            fields={f"answers.{key}": ["Answer the question before checking it."]},
        )
    attempt.answers = _merged_answers(attempt, {key: answer})
    if key not in attempt.results:
        question = Question.objects.prefetch_related("choices").get(pk=int(key))
        points = grade_question(question, attempt.answers[key], quiz.negative_marking)
        attempt.results = {**attempt.results, key: _result(question, attempt.answers[key], points)}
    attempt.save(update_fields=["answers", "results"])
    return attempt


def _result(question: Question, answer: Any, points: Decimal) -> dict[str, Any]:
    return {
        "is_answered": answer not in (None, [], ""),
        "is_correct": points == question.points,
        "points": str(points),
    }


@transaction.atomic
def quiz_attempt_submit(
    *, learner: User, attempt: QuizAttempt, answers: dict[str, Any]
) -> QuizAttempt:
    """Grade a running attempt on the server (with any autosaved answers); answers after the
    deadline and its grace are refused, as are questions that were not drawn."""
    attempt = _locked_open_attempt(attempt, learner)
    attempt.answers = _merged_answers(attempt, answers)
    return _attempt_grade(attempt, submitted_at=timezone.now())


@transaction.atomic
def quiz_attempt_take(
    *, learner: User, quiz: Quiz, answers: dict[str, Any]
) -> tuple[QuizAttempt, bool]:
    """Start and grade an attempt in one step (the API's one-call attempt), with the attempt
    limit of quiz_attempt_start and the answer checks of quiz_attempt_submit; refused answers
    leave no attempt behind. A timed quiz, an exam or a quiz drawing a random subset must be
    started first, so its clock and draw come before its questions are seen: a running attempt
    of it is graded (and False returned), otherwise AttemptStartRequiredError."""
    attempt, created = quiz_attempt_start(learner=learner, quiz=quiz)
    if created and (quiz.time_limit_seconds or quiz.is_exam or quiz.question_bank_sample_size):
        raise AttemptStartRequiredError(
            "This quiz is timed, an exam or draws its questions for each attempt: start an "
            "attempt first (POST without answers), then submit its answers.",
            extra={"time_limit_seconds": quiz.time_limit_seconds, "is_exam": quiz.is_exam},
        )
    return quiz_attempt_submit(learner=learner, attempt=attempt, answers=answers), created


@transaction.atomic
def quiz_attempt_close_expired(*, attempt: QuizAttempt) -> QuizAttempt:
    """Grade an attempt whose time ran out with the answers saved before the deadline."""
    attempt = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.submitted_at is not None or not _is_past_grace(attempt, timezone.now()):
        return attempt
    return _attempt_grade(attempt, submitted_at=attempt.deadline or timezone.now())


def grade_question(question: Question, answer: Any, negative_marking: Decimal) -> Decimal:
    """Points for one answer: all of them when right (a multiple-choice answer must pick exactly
    the correct choices), minus `negative_marking` of them when wrong, 0 when unanswered."""
    if answer is None or answer == [] or answer == "":
        return Decimal(0)
    points = Decimal(question.points)
    if question.kind == Question.Kind.SHORT_ANSWER:
        accepted = {normalize_short_answer(text) for text in question.accepted_answers}
        is_correct = normalize_short_answer(str(answer)) in accepted
    else:
        correct_ids = {choice.id for choice in question.choices.all() if choice.is_correct}
        chosen = set(answer) if isinstance(answer, list) else {answer}
        is_correct = chosen == correct_ids
    if is_correct:
        return points
    return -(points * negative_marking).quantize(_CENT, rounding=ROUND_HALF_UP)


def _attempt_grade(attempt: QuizAttempt, *, submitted_at: datetime) -> QuizAttempt:
    quiz = attempt.quiz
    questions = {
        question.id: question
        for question in Question.objects.filter(id__in=attempt.question_ids).prefetch_related(
            "choices"
        )
    }
    score = Decimal(0)
    max_score = Decimal(0)
    results: dict[str, dict[str, Any]] = {}
    for question_id in attempt.question_ids:
        question = questions.get(question_id)
        if question is None:  # deleted since the attempt started: it counts for nobody
            continue
        answer = attempt.answers.get(str(question_id))
        points = grade_question(question, answer, quiz.negative_marking)
        max_score += question.points
        score += points
        results[str(question_id)] = _result(question, answer, points)
    score = max(score, Decimal(0)).quantize(_CENT)
    percent = (
        (score * 100 / max_score).quantize(_CENT, rounding=ROUND_HALF_UP)
        if max_score
        else Decimal(0).quantize(_CENT)
    )
    attempt.score = score
    attempt.max_score = max_score.quantize(_CENT)
    attempt.percent = percent
    attempt.passed = percent >= quiz.pass_mark_percent
    attempt.results = results
    attempt.submitted_at = submitted_at
    attempt.save(
        update_fields=[
            "answers",
            "results",
            "score",
            "max_score",
            "percent",
            "passed",
            "submitted_at",
        ]
    )
    payload = {"attempt": attempt, "learner": attempt.learner, "quiz": quiz}
    transaction.on_commit(
        functools.partial(events.quiz_attempt_submitted.send, sender=QuizAttempt, **payload)
    )
    if attempt.passed:
        transaction.on_commit(
            functools.partial(events.quiz_passed.send, sender=QuizAttempt, **payload)
        )
        _quiz_lesson_complete(attempt)
    return attempt


def _quiz_lesson_complete(attempt: QuizAttempt) -> None:
    """A passed quiz completes its lesson for an enrolled learner."""
    lesson = attempt.quiz.lesson
    enrollment = Enrollment.objects.filter(
        learner_id=attempt.learner_id, course_id=lesson.module.course_id
    ).first()
    if enrollment is None:
        return  # the course's staff trying their own quiz
    LessonProgress.objects.get_or_create(learner_id=attempt.learner_id, lesson=lesson)
    progress = LessonProgress.objects.select_for_update().get(
        learner_id=attempt.learner_id, lesson=lesson
    )
    progress_complete(progress=progress, enrollment=enrollment, now=attempt.submitted_at)
