"""Writes for learning modes: FSRS reviews, mode preferences, relax breaks and challenge runs."""

from __future__ import annotations

import datetime as dt
import functools
import random
from typing import Any

import fsrs
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import ApplicationError, ConflictError, NotFoundError
from courses.models import Course, Enrollment, Question, QuizAttempt
from courses.services.quizzes import grade_question
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
HEARTBEAT_MAX_SECONDS = 60


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


def scheduler_for(*, desired_retention: float) -> fsrs.Scheduler:
    """The FSRS scheduler with the library's default parameters and the learner's retention."""
    return fsrs.Scheduler(desired_retention=desired_retention)


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
    desired_retention: float,
    source: str,
    source_id: int | None = None,
    duration_ms: int | None = None,
) -> ReviewLog:
    """Schedule a locked card with FSRS for `rating` at `at`, save it and log the review."""
    scheduled, _ = scheduler_for(desired_retention=desired_retention).review_card(
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
        desired_retention=preference.desired_retention,
        source=ReviewLog.Source.REVIEW,
        duration_ms=min(duration_ms, 3_600_000) if duration_ms is not None else None,
    )
    transaction.on_commit(functools.partial(_review_xp, learner=learner, log_id=log.pk))
    return log


def _review_xp(*, learner: Any, log_id: int) -> None:
    from gamification import tasks

    tasks.learning_rewarded.delay(learner.pk, "review_done", f"review:{log_id}")


def cards_from_attempt(*, attempt: QuizAttempt) -> int:
    """Every question of a graded attempt becomes (or updates) the learner's review card, rated
    by the answer: right is Good, wrong or unanswered is Again. Each attempt rates a card once."""
    if attempt.submitted_at is None:
        return 0
    course_id = attempt.quiz.lesson.module.course_id
    preference = preference_get(user=attempt.learner)
    rated = 0
    for question_id in attempt.question_ids:
        result = (attempt.results or {}).get(str(question_id)) or {}
        rating = 3 if result.get("is_correct") else 1
        with transaction.atomic():
            card, _ = ReviewCard.objects.get_or_create(
                learner_id=attempt.learner_id,
                question_id=question_id,
                defaults={"course_id": course_id, "due": attempt.submitted_at},
            )
            card = ReviewCard.objects.select_for_update().get(pk=card.pk)
            if ReviewLog.objects.filter(
                card=card, source=ReviewLog.Source.QUIZ, source_id=attempt.pk
            ).exists():
                continue
            # A quiz answer older than the card's last review would rewind its schedule.
            if card.last_review and card.last_review > attempt.submitted_at:
                continue
            try:
                with transaction.atomic():
                    _apply(
                        card,
                        rating=rating,
                        at=attempt.submitted_at,
                        desired_retention=preference.desired_retention,
                        source=ReviewLog.Source.QUIZ,
                        source_id=attempt.pk,
                    )
            except IntegrityError:
                continue
            rated += 1
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
def relax_heartbeat(*, user: Any, at: dt.datetime | None = None) -> dict[str, Any]:
    """Count active learning since the last break from the player's heartbeats; a heartbeat
    counts the time since the previous one, at most HEARTBEAT_MAX_SECONDS (an idle tab counts
    nothing). Says whether the learner's chosen break interval has been reached."""
    moment = at or timezone.now()
    preference_get(user=user)
    preference = LearningPreference.objects.select_for_update().get(user=user)
    previous = preference.relax_last_heartbeat_at
    if previous is not None and moment > previous:
        elapsed = (moment - previous).total_seconds()
        if elapsed <= HEARTBEAT_MAX_SECONDS:
            preference.relax_active_seconds += int(elapsed)
    preference.relax_last_heartbeat_at = moment
    preference.save(update_fields=["relax_active_seconds", "relax_last_heartbeat_at"])
    interval = preference.relax_interval_minutes * 60
    return {
        "active_seconds": preference.relax_active_seconds,
        "interval_seconds": interval,
        "break_due": preference.relax_active_seconds >= interval,
    }


@transaction.atomic
def relax_break_taken(*, user: Any, at: dt.datetime | None = None) -> LearningPreference:
    """The learner took (or skipped) the break: the next interval starts now."""
    preference_get(user=user)
    preference = LearningPreference.objects.select_for_update().get(user=user)
    preference.relax_active_seconds = 0
    preference.relax_last_heartbeat_at = at or timezone.now()
    preference.save(update_fields=["relax_active_seconds", "relax_last_heartbeat_at"])
    return preference


# --- challenge mode -------------------------------------------------------------------------------


def _close_expired(learner: Any, course: Course, now: dt.datetime) -> None:
    for run in ChallengeRun.objects.select_for_update().filter(
        learner=learner, course=course, submitted_at__isnull=True
    ):
        if now > run.deadline + CHALLENGE_GRACE:
            run.submitted_at = run.deadline
            run.score = 0
            run.save(update_fields=["submitted_at", "score"])


@transaction.atomic
def challenge_start(
    *, learner: Any, course: Course, questions: int = CHALLENGE_QUESTIONS
) -> ChallengeRun:
    """Start a timed run of random questions from the course's quizzes (enrolled learners only);
    a run still open is returned as it is, with its original deadline: reloading never resets
    the clock."""
    now = timezone.now()
    if not Enrollment.objects.filter(learner=learner, course=course).exists():
        raise ChallengeUnavailableError("Enroll in this course to take its challenge.")
    _close_expired(learner, course, now)
    running = ChallengeRun.objects.filter(
        learner=learner, course=course, submitted_at__isnull=True
    ).first()
    if running is not None:
        return running
    pool = list(
        Question.objects.filter(quiz__lesson__module__course=course).values_list("id", flat=True)
    )
    if not pool:
        raise ChallengeUnavailableError("This course has no questions for a challenge yet.")
    drawn = random.sample(pool, min(questions, len(pool)))
    seconds = CHALLENGE_SECONDS_PER_QUESTION * len(drawn)
    return ChallengeRun.objects.create(
        learner=learner,
        course=course,
        question_ids=drawn,
        started_at=now,
        deadline=now + dt.timedelta(seconds=seconds),
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
            _challenge_grade(run, answers, now)
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


def _challenge_grade(run: ChallengeRun, answers: Any, now: dt.datetime) -> None:
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
    correct = sum(
        1
        for question_id in run.question_ids
        if question_id in questions
        and grade_question(questions[question_id], cleaned.get(str(question_id)), 0) > 0
    )
    total = len(run.question_ids) or 1
    time_left = max((run.deadline - now).total_seconds(), 0)
    time_share = time_left / max((run.deadline - run.started_at).total_seconds(), 1)
    run.answers = cleaned
    run.correct_count = correct
    run.score = correct * POINTS_PER_CORRECT + round(MAX_SPEED_BONUS * time_share * correct / total)
    run.submitted_at = now
    run.save(update_fields=["answers", "correct_count", "score", "submitted_at"])


def _challenge_xp(*, learner: Any, run_id: int, course_id: int) -> None:
    from gamification import tasks

    tasks.learning_rewarded.delay(
        learner.pk, "challenge_completed", f"challenge:{run_id}", course_id
    )
