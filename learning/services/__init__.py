"""Writes for learning modes: FSRS reviews, mode preferences, relax time and breaks, and challenge
runs."""

from __future__ import annotations

import datetime as dt
import functools
import random
from typing import Any

import fsrs
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import ApplicationError, ConflictError, NotFoundError
from courses import entitlements
from courses.models import Category, Course, Enrollment, Lesson, Question, QuizAttempt
from courses.services.quizzes import grade_question
from learning import selectors
from learning.models import (
    ChallengeRun,
    CourseModePreference,
    LearningPreference,
    Mode,
    ReviewCard,
    ReviewLog,
)

CHALLENGE_QUESTIONS = 10
CHALLENGE_SECONDS_PER_QUESTION = 20
CHALLENGE_GRACE = dt.timedelta(seconds=2)  # network latency, never client clocks
POINTS_PER_CORRECT = 100
MAX_SPEED_BONUS = 50


class CardNotFoundError(NotFoundError):
    default_code = "card_not_found"


class CardNotDueError(ConflictError):
    default_code = "card_not_due"


class InvalidRatingError(ApplicationError):
    default_code = "invalid_rating"


class InvalidPreferenceError(ApplicationError):
    default_code = "invalid_preference"


class ChallengeUnavailableError(ApplicationError):
    default_code = "challenge_unavailable"


class ChallengeClosedError(ConflictError):
    default_code = "challenge_closed"


class ChallengeNotFoundError(NotFoundError):
    default_code = "challenge_not_found"


RATINGS = {"again": 1, "hard": 2, "good": 3, "easy": 4}


# --- FSRS ----------------------------------------------------------------------------------------


def preference_get(*, user: Any) -> LearningPreference:
    """The learner's preferences (created with the defaults on first use)."""
    preference, _ = LearningPreference.objects.get_or_create(user=user)
    return preference


def scheduler_for(
    *, desired_retention: float, parameters: list[float] | None = None
) -> fsrs.Scheduler:
    """The FSRS scheduler with the learner's retention and their fitted parameters (the
    library's defaults until the optimisation job has fitted some)."""
    if parameters:
        return fsrs.Scheduler(parameters=parameters, desired_retention=desired_retention)
    return fsrs.Scheduler(desired_retention=desired_retention)


def scheduler_for_learner(preference: LearningPreference) -> fsrs.Scheduler:
    """The scheduler one learner's reviews use."""
    return scheduler_for(
        desired_retention=preference.desired_retention,
        parameters=list(preference.fsrs_parameters or []),
    )


def to_fsrs(card: ReviewCard) -> fsrs.Card:
    return fsrs.Card(
        card_id=card.pk,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due.astimezone(dt.UTC),
        last_review=card.last_review.astimezone(dt.UTC) if card.last_review else None,
    )


def _apply(
    card: ReviewCard,
    *,
    rating: int,
    at: dt.datetime,
    scheduler: fsrs.Scheduler,
    source: str,
    source_id: int | None = None,
    duration_ms: int | None = None,
) -> ReviewLog:
    """Schedule a locked card with FSRS for `rating` at `at`, save it and log the review."""
    scheduled, _ = scheduler.review_card(
        to_fsrs(card), fsrs.Rating(rating), review_datetime=at.astimezone(dt.UTC)
    )
    if rating == 1 and card.state == ReviewCard.State.REVIEW:
        card.lapses += 1
    card.state = int(scheduled.state)
    card.step = scheduled.step
    card.stability = scheduled.stability
    card.difficulty = scheduled.difficulty
    card.due = scheduled.due
    card.last_review = scheduled.last_review
    card.reviews += 1
    card.save()
    return ReviewLog.objects.create(
        card=card,
        rating=rating,
        source=source,
        source_id=source_id,
        reviewed_at=at,
        duration_ms=duration_ms,
        due_after=card.due,
        stability_after=card.stability,
        difficulty_after=card.difficulty,
    )


def rating_from(value: Any) -> int:
    """A rating from 1-4 or again/hard/good/easy; anything else is a 400."""
    if isinstance(value, str) and value.strip().lower() in RATINGS:
        return RATINGS[value.strip().lower()]
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4:
        return value
    raise InvalidRatingError(
        "Rate the card again, hard, good or easy (1-4).",
        fields={"rating": ["Choose again, hard, good or easy (1-4)."]},
    )


@transaction.atomic
def review_submit(
    *,
    learner: Any,
    card_id: int,
    rating: Any,
    duration_ms: int | None = None,
    at: dt.datetime | None = None,
) -> ReviewLog:
    """Rate one due card of the learner's: FSRS schedules it; a second submission of the same
    review (a double click, a retry) finds the card no longer due and is refused with 409."""
    value = rating_from(rating)
    if duration_ms is not None and (
        isinstance(duration_ms, bool) or not isinstance(duration_ms, int) or duration_ms < 0
    ):
        duration_ms = None
    moment = at or timezone.now()
    card = ReviewCard.objects.select_for_update().filter(pk=card_id, learner=learner).first()
    if card is None:
        raise CardNotFoundError("Review card not found.")
    if card.due > moment:
        raise CardNotDueError(
            "This card was already reviewed; it is due again later.",
            extra={"due": card.due.isoformat()},
        )
    preference = preference_get(user=learner)
    log = _apply(
        card,
        rating=value,
        at=moment,
        scheduler=scheduler_for_learner(preference),
        source=ReviewLog.Source.REVIEW,
        duration_ms=min(duration_ms, 3_600_000) if duration_ms is not None else None,
    )
    transaction.on_commit(functools.partial(_review_xp, learner=learner, log_id=log.pk))
    return log


def _review_xp(*, learner: Any, log_id: int) -> None:
    from gamification import tasks

    tasks.learning_rewarded.delay(learner.pk, "review_done", f"review:{log_id}")


def card_rate_answer(
    *,
    learner_id: int,
    card_lookup: dict[str, Any],
    card_defaults: dict[str, Any],
    is_correct: bool,
    at: dt.datetime,
    scheduler: fsrs.Scheduler,
    source: str,
    source_id: int,
) -> bool:
    """One answered question becomes (or updates) the learner's card, rated by the answer:
    right is Good, wrong or unanswered is Again. Each source (a quiz attempt, a challenge run, a
    practice set) rates a card once, and an answer older than the card's last review is ignored
    (it would rewind the schedule). Says whether the card was rated."""
    with transaction.atomic():
        card, _ = ReviewCard.objects.get_or_create(
            learner_id=learner_id, **card_lookup, defaults={**card_defaults, "due": at}
        )
        card = ReviewCard.objects.select_for_update().get(pk=card.pk)
        if ReviewLog.objects.filter(card=card, source=source, source_id=source_id).exists():
            return False
        if card.last_review and card.last_review > at:
            return False
        try:
            with transaction.atomic():
                _apply(
                    card,
                    rating=3 if is_correct else 1,
                    at=at,
                    scheduler=scheduler,
                    source=source,
                    source_id=source_id,
                )
        except IntegrityError:
            return False
    return True


def cards_from_attempt(*, attempt: QuizAttempt) -> int:
    """Every question of a graded attempt becomes (or updates) the learner's review card, rated
    by the answer. Each attempt rates a card once."""
    if attempt.submitted_at is None:
        return 0
    course_id = attempt.quiz.lesson.module.course_id
    scheduler = scheduler_for_learner(preference_get(user=attempt.learner))
    rated = 0
    for question_id in attempt.question_ids:
        result = (attempt.results or {}).get(str(question_id)) or {}
        rated += card_rate_answer(
            learner_id=attempt.learner_id,
            card_lookup={"question_id": question_id},
            card_defaults={"course_id": course_id},
            is_correct=bool(result.get("is_correct")),
            at=attempt.submitted_at,
            scheduler=scheduler,
            source=ReviewLog.Source.QUIZ,
            source_id=attempt.pk,
        )
    return rated


def cards_from_challenge(*, run: ChallengeRun, correct_ids: set[int]) -> int:
    """The questions of a graded challenge run become review cards too (a category challenge
    can draw questions the learner has not met in a quiz yet)."""
    if run.submitted_at is None:
        return 0
    course_of = dict(
        Question.objects.filter(pk__in=run.question_ids).values_list(
            "id", "quiz__lesson__module__course_id"
        )
    )
    scheduler = scheduler_for_learner(preference_get(user=run.learner))
    rated = 0
    for question_id in run.question_ids:
        if question_id not in course_of:
            continue
        rated += card_rate_answer(
            learner_id=run.learner_id,
            card_lookup={"question_id": question_id},
            card_defaults={"course_id": course_of[question_id]},
            is_correct=question_id in correct_ids,
            at=run.submitted_at,
            scheduler=scheduler,
            source=ReviewLog.Source.CHALLENGE,
            source_id=run.pk,
        )
    return rated


# --- preferences and modes ------------------------------------------------------------------------


@transaction.atomic
def preference_update(*, user: Any, **changes: Any) -> LearningPreference:
    """Change the learner's default mode, desired retention and mode settings (validated)."""
    preference = LearningPreference.objects.select_for_update().filter(user=user).first()
    if preference is None:
        preference = preference_get(user=user)
    allowed = {"mode", "desired_retention", "relax_interval_minutes", "binge_countdown_seconds"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidPreferenceError(
            "Unknown settings.", fields={name: ["Unknown setting."] for name in sorted(unknown)}
        )
    for name, value in changes.items():
        setattr(preference, name, value)
    from django.core.exceptions import ValidationError

    try:
        preference.full_clean(exclude=["user"])
    except ValidationError as error:
        raise InvalidPreferenceError(
            "Some settings are not valid.", fields=error.message_dict
        ) from error
    preference.save()
    return preference


@transaction.atomic
def course_mode_set(*, user: Any, course: Course, mode: str | None) -> str:
    """Choose a mode for one course (None goes back to the learner's default); returns the
    mode now in force there."""
    if mode is None or mode == "":
        CourseModePreference.objects.filter(user=user, course=course).delete()
        return preference_get(user=user).mode
    if mode not in Mode.values:
        raise InvalidPreferenceError(
            "Choose standard, challenge, relax or binge.",
            fields={"mode": ["Choose standard, challenge, relax or binge."]},
        )
    CourseModePreference.objects.update_or_create(user=user, course=course, defaults={"mode": mode})
    return mode


@transaction.atomic
def course_modes_update(*, user: Any, modes: list[dict[str, Any]]) -> list[str]:
    """Choose (or, with a null mode, clear) the mode of several courses at once, all or none:
    each must be a published course. Returns the modes now in force there, in order."""
    course_ids = [item["course_id"] for item in modes]
    courses = Course.objects.filter(pk__in=course_ids, status=Course.Status.PUBLISHED).in_bulk()
    unknown = [course_id for course_id in course_ids if course_id not in courses]
    if unknown:
        message = f"Course {unknown[0]} is not a published course."
        raise InvalidPreferenceError(message, fields={"course_modes": [message]})
    return [
        course_mode_set(user=user, course=courses[item["course_id"]], mode=item.get("mode"))
        for item in modes
    ]


def relax_time_add(
    *, user: Any, course_id: int, seconds: int, at: dt.datetime | None = None
) -> int:
    """Count active learning the player reported (courses' lesson_time_spent, already held to
    its anti-inflation limits) toward the relax break, in a course where relax mode is in force.
    A pause of RELAX_NATURAL_BREAK or more was a break: counting starts again. Returns the
    seconds counted (0 where relax mode is not in force: every player report of every learner
    comes here, so that case reads nothing more)."""
    moment = at or timezone.now()
    if seconds <= 0 or selectors.mode_for(user=user, course_id=course_id) != Mode.RELAX:
        return 0  # the mode is one read, outside a transaction (no BEGIN and COMMIT for it)
    with transaction.atomic():
        preference_get(user=user)
        preference = LearningPreference.objects.select_for_update().get(user=user)
        previous = preference.relax_last_activity_at
        if previous is not None and moment - previous >= selectors.RELAX_NATURAL_BREAK:
            preference.relax_active_seconds = 0
        preference.relax_active_seconds += seconds
        if previous is None or moment > previous:
            preference.relax_last_activity_at = moment
        preference.save(update_fields=["relax_active_seconds", "relax_last_activity_at"])
    return seconds


@transaction.atomic
def relax_break_taken(*, user: Any, at: dt.datetime | None = None) -> LearningPreference:
    """The learner took (or skipped) the break: the next interval starts now."""
    preference_get(user=user)
    preference = LearningPreference.objects.select_for_update().get(user=user)
    preference.relax_active_seconds = 0
    preference.relax_last_activity_at = at or timezone.now()
    preference.save(update_fields=["relax_active_seconds", "relax_last_activity_at"])
    return preference


# --- challenge mode -------------------------------------------------------------------------------


def _close_expired(learner: Any, scope: dict[str, Any], now: dt.datetime) -> None:
    for run in ChallengeRun.objects.select_for_update().filter(
        learner=learner, submitted_at__isnull=True, **scope
    ):
        if now > run.deadline + CHALLENGE_GRACE:
            run.submitted_at = run.deadline
            run.score = 0
            run.save(update_fields=["submitted_at", "score"])


def challenge_question_pool(*, learner: Any, course_ids: list[int]) -> list[int]:
    """The questions a challenge may draw for this learner: from the quizzes of those courses
    they are enrolled in and whose quiz lessons they may open (billing's entitlement rules),
    never from an exam (a challenge would show its questions before the exam is sat)."""
    enrolled = set(
        Enrollment.objects.filter(learner=learner, course_id__in=course_ids).values_list(
            "course_id", flat=True
        )
    )
    lessons = Lesson.objects.filter(
        module__course_id__in=enrolled, kind=Lesson.Kind.QUIZ, quiz__is_exam=False
    ).select_related("module__course")
    open_lessons = [
        lesson.pk
        for lesson in lessons
        if entitlements.can_access_lesson(learner, lesson, is_enrolled=True)
    ]
    return list(
        Question.objects.filter(quiz__lesson_id__in=open_lessons)
        .order_by("id")
        .values_list("id", flat=True)
    )


@transaction.atomic
def challenge_start(
    *,
    learner: Any,
    course: Course | None = None,
    category: Category | None = None,
    questions: int = CHALLENGE_QUESTIONS,
) -> ChallengeRun:
    """Start a timed run of random questions from one course, or from every published course of
    a category the learner is enrolled in and may open; a run still open for the same course or
    category is returned as it is, with its original deadline: reloading never resets the clock."""
    if (course is None) == (category is None):
        raise ChallengeUnavailableError("Choose a course or a category for the challenge.")
    now = timezone.now()
    if course is not None:
        scope: dict[str, Any] = {"course": course}
        course_ids = [course.pk]
        if not Enrollment.objects.filter(learner=learner, course=course).exists():
            raise ChallengeUnavailableError("Enroll in this course to take its challenge.")
    else:
        assert category is not None  # noqa: S101 - narrowed by the either/or check above
        scope = {"category": category}
        course_ids = list(
            Course.objects.filter(category=category, status=Course.Status.PUBLISHED).values_list(
                "id", flat=True
            )
        )
        if not Enrollment.objects.filter(learner=learner, course_id__in=course_ids).exists():
            raise ChallengeUnavailableError(
                f"Enroll in a course of “{category.name}” to take its challenge."
            )
    _close_expired(learner, scope, now)
    running = ChallengeRun.objects.filter(
        learner=learner, submitted_at__isnull=True, **scope
    ).first()
    if running is not None:
        return running
    pool = challenge_question_pool(learner=learner, course_ids=course_ids)
    if not pool:
        raise ChallengeUnavailableError("There are no questions for a challenge here yet.")
    drawn = random.sample(pool, min(questions, len(pool)))
    seconds = CHALLENGE_SECONDS_PER_QUESTION * len(drawn)
    return ChallengeRun.objects.create(
        learner=learner,
        question_ids=drawn,
        started_at=now,
        deadline=now + dt.timedelta(seconds=seconds),
        **scope,
    )


def challenge_submit(*, learner: Any, run_id: int, answers: Any) -> ChallengeRun:
    """Grade a run on the server: refused after the server's deadline (plus a 2 s grace for the
    network), whatever the client's clock says, and the late run is closed with no score.
    Score: 100 per right answer plus up to 50 for the time left, in proportion to the share
    answered right."""
    now = timezone.now()
    with transaction.atomic():
        run = ChallengeRun.objects.select_for_update().filter(pk=run_id, learner=learner).first()
        if run is None:
            raise ChallengeNotFoundError("Challenge not found.")
        if run.submitted_at is not None:
            raise ChallengeClosedError("This challenge was already submitted.")
        is_late = now > run.deadline + CHALLENGE_GRACE
        if is_late:
            run.submitted_at = run.deadline
            run.score = 0
            run.save(update_fields=["submitted_at", "score"])
        else:
            correct_ids = _challenge_grade(run, answers, now)
            cards_from_challenge(run=run, correct_ids=correct_ids)
            if run.correct_count:
                transaction.on_commit(
                    functools.partial(
                        _challenge_xp, learner=learner, run_id=run.pk, course_id=run.course_id
                    )
                )
    if is_late:  # raised after the commit, so the closed run is kept
        raise ChallengeClosedError(
            "Time is up: answers sent after the deadline are not counted.",
            extra={"deadline": run.deadline.isoformat()},
        )
    return run


def _challenge_grade(run: ChallengeRun, answers: Any, now: dt.datetime) -> set[int]:
    if not isinstance(answers, dict):
        raise ApplicationError(
            "Send the answers as an object keyed by question id.",
            fields={"answers": ["An object keyed by question id."]},
        )
    drawn = {str(question_id) for question_id in run.question_ids}
    questions = {
        question.pk: question
        for question in Question.objects.filter(pk__in=run.question_ids).prefetch_related("choices")
    }
    cleaned = {str(key): value for key, value in answers.items() if str(key) in drawn}
    correct_ids = {
        question_id
        for question_id in run.question_ids
        if question_id in questions
        and grade_question(questions[question_id], cleaned.get(str(question_id)), 0) > 0
    }
    correct = len(correct_ids)
    total = len(run.question_ids) or 1
    time_left = max((run.deadline - now).total_seconds(), 0)
    time_share = time_left / max((run.deadline - run.started_at).total_seconds(), 1)
    run.answers = cleaned
    run.correct_count = correct
    run.score = correct * POINTS_PER_CORRECT + round(MAX_SPEED_BONUS * time_share * correct / total)
    run.submitted_at = now
    run.save(update_fields=["answers", "correct_count", "score", "submitted_at"])
    return correct_ids


def _challenge_xp(*, learner: Any, run_id: int, course_id: int | None) -> None:
    from gamification import tasks

    tasks.learning_rewarded.delay(
        learner.pk, "challenge_completed", f"challenge:{run_id}", course_id
    )
