"""Writes of the learning modes: preferences, FSRS reviews, relax-mode breaks, binge runs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import fsrs
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from courses.models import Course, Question, QuizAttempt
from learning.exceptions import (
    CardNotDueError,
    CardNotFoundError,
    InvalidPreferenceError,
    InvalidRatingError,
)
from learning.models import (
    CourseModePreference,
    LearningPreference,
    Mode,
    ReviewCard,
    ReviewLog,
    StudyActivity,
)

# A heartbeat further apart than this from the previous one means the learner was away: the gap
# does not count as active learning.
HEARTBEAT_MAX_GAP = timedelta(seconds=90)
# Completing lessons further apart than this ends a binge run.
BINGE_GAP = timedelta(minutes=30)
# Answers faster than this (and right) are "easy", slower than the second "hard".
EASY_BELOW_MS = 8_000
HARD_ABOVE_MS = 30_000

PREFERENCE_FIELDS = {
    "mode",
    "desired_retention",
    "study_interval_minutes",
    "break_minutes",
    "autoplay_countdown_seconds",
}


# --- preferences -------------------------------------------------------------------------------


@transaction.atomic
def preference_update(*, learner: User, data: dict[str, Any]) -> LearningPreference:
    """Change some of the learner's mode settings; every value is checked, nothing is saved if
    one is wrong."""
    unknown = set(data) - PREFERENCE_FIELDS
    if unknown:
        raise InvalidPreferenceError(f"Unknown settings: {', '.join(sorted(unknown))}.")
    preference, _ = LearningPreference.objects.select_for_update().get_or_create(learner=learner)
    for name, value in data.items():
        setattr(preference, name, value)
    errors: dict[str, list[str]] = {}
    try:
        preference.full_clean(exclude=["learner", "fsrs_parameters"])
    except Exception as error:  # ValidationError: reported field by field
        errors = getattr(error, "message_dict", {"__all__": [str(error)]})
    if errors:
        raise InvalidPreferenceError("Some settings are not valid.", fields=errors)
    preference.save()
    return preference


@transaction.atomic
def course_mode_set(*, learner: User, course: Course, mode: str | None) -> str:
    """Learn `course` in `mode`; None goes back to the learner's general mode. Returns the
    mode now in force for the course."""
    if mode is None:
        CourseModePreference.objects.filter(learner=learner, course=course).delete()
        preference = LearningPreference.objects.filter(learner=learner).first()
        return preference.mode if preference else Mode.RELAX
    if mode not in Mode.values:
        raise InvalidPreferenceError(
            f"'{mode}' is not a mode; choose one of {', '.join(Mode.values)}."
        )
    CourseModePreference.objects.update_or_create(
        learner=learner, course=course, defaults={"mode": mode}
    )
    return mode


# --- revision: FSRS ------------------------------------------------------------------------------


def scheduler_for(preference: LearningPreference) -> fsrs.Scheduler:
    """The learner's FSRS scheduler. Fuzzing is off so a schedule can be replayed exactly from the
    review log (and the tests compare it with the library's own results)."""
    parameters = preference.fsrs_parameters or fsrs.scheduler.DEFAULT_PARAMETERS
    return fsrs.Scheduler(
        parameters=parameters,
        desired_retention=preference.desired_retention,
        enable_fuzzing=False,
    )


def _to_fsrs(card: ReviewCard) -> fsrs.Card:
    return fsrs.Card(
        card_id=card.pk,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due.astimezone(UTC),
        last_review=card.last_review.astimezone(UTC) if card.last_review else None,
    )


def rating_from_answer(*, is_correct: bool, duration_ms: int | None) -> int:
    """Again when wrong; when right, easy if quick, hard if slow, otherwise good."""
    if not is_correct:
        return ReviewLog.Rating.AGAIN
    if duration_ms is not None and duration_ms < EASY_BELOW_MS:
        return ReviewLog.Rating.EASY
    if duration_ms is not None and duration_ms > HARD_ABOVE_MS:
        return ReviewLog.Rating.HARD
    return ReviewLog.Rating.GOOD


def cards_ensure(*, learner: User, questions: Iterable[Question]) -> int:
    """Make each question a review card for the learner (once: meeting it again adds nothing).
    Returns how many cards were new."""
    questions = list(questions)
    existing = set(
        ReviewCard.objects.filter(learner=learner, question__in=questions).values_list(
            "question_id", flat=True
        )
    )
    now = timezone.now()
    new = [
        ReviewCard(
            learner=learner,
            question=question,
            course_id=question.quiz.lesson.module.course_id,
            due=now,
            created_at=now,
        )
        for question in questions
        if question.pk not in existing
    ]
    ReviewCard.objects.bulk_create(new, ignore_conflicts=True)  # a racing twin made it first
    return len(new)


def _review(
    card: ReviewCard,
    *,
    rating: int,
    now: datetime,
    duration_ms: int | None,
    source: str,
    preference: LearningPreference,
) -> ReviewLog:
    reviewed, _ = scheduler_for(preference).review_card(
        _to_fsrs(card), fsrs.Rating(rating), review_datetime=now, review_duration=duration_ms
    )
    if rating == ReviewLog.Rating.AGAIN and card.state == ReviewCard.State.REVIEW:
        card.lapse_count += 1
    card.state = int(reviewed.state)
    card.step = reviewed.step
    card.stability = reviewed.stability
    card.difficulty = reviewed.difficulty
    card.due = reviewed.due
    card.last_review = reviewed.last_review
    card.review_count += 1
    card.save(
        update_fields=[
            "state",
            "step",
            "stability",
            "difficulty",
            "due",
            "last_review",
            "review_count",
            "lapse_count",
        ]
    )
    return ReviewLog.objects.create(
        card=card,
        learner_id=card.learner_id,
        number=card.review_count,
        rating=rating,
        source=source,
        reviewed_at=now,
        duration_ms=duration_ms,
        due_after=card.due,
        stability_after=card.stability or 0.0,
        difficulty_after=card.difficulty or 0.0,
    )


@transaction.atomic
def card_review(
    *, learner: User, card_id: int, rating: int, duration_ms: int | None = None
) -> ReviewLog:
    """Rate a due card and let FSRS schedule it. The card is locked while it is reviewed, so a
    double submit counts once: the second finds the card no longer due and is refused."""
    if rating not in ReviewLog.Rating.values:
        raise InvalidRatingError("The rating must be 1 (again), 2 (hard), 3 (good) or 4 (easy).")
    if duration_ms is not None and not 0 <= duration_ms <= 86_400_000:
        raise InvalidRatingError("The review duration must be between 0 and 86400000 ms.")
    card = ReviewCard.objects.select_for_update().filter(learner=learner, pk=card_id).first()
    if card is None:
        raise CardNotFoundError("No such review card.")
    now = timezone.now().astimezone(UTC)
    if card.due > now:
        raise CardNotDueError(
            "This card is not due yet: it was already reviewed.",
            extra={"due": card.due.isoformat()},
        )
    preference = LearningPreference.objects.filter(learner=learner).first() or LearningPreference(
        learner=learner
    )
    try:
        with transaction.atomic():
            return _review(
                card,
                rating=rating,
                now=now,
                duration_ms=duration_ms,
                source=ReviewLog.Source.REVIEW,
                preference=preference,
            )
    except IntegrityError as error:  # databases without row locks (SQLite): the constraint holds
        raise CardNotDueError("This card was already reviewed.") from error


@transaction.atomic
def cards_from_quiz_attempt(*, attempt: QuizAttempt) -> int:
    """Every question of a graded attempt becomes a review card, and answering it counts as a
    review of the cards that are due (right: good, wrong: again). Quizzes that keep their answers
    hidden make no cards. Returns the reviews made."""
    if not attempt.quiz.reveals_answers:
        return 0  # a card shows its answer: never for a quiz whose author keeps answers hidden
    learner = attempt.learner
    questions = list(
        Question.objects.filter(pk__in=attempt.question_ids).select_related("quiz__lesson__module")
    )
    cards_ensure(learner=learner, questions=questions)
    now = (attempt.submitted_at or timezone.now()).astimezone(UTC)
    cards = ReviewCard.objects.select_for_update().filter(
        learner=learner, question__in=questions, due__lte=now
    )
    preference = LearningPreference.objects.filter(learner=learner).first() or LearningPreference(
        learner=learner
    )
    reviews = 0
    for card in cards:
        result = attempt.results.get(str(card.question_id), {})
        _review(
            card,
            rating=rating_from_answer(is_correct=bool(result.get("is_correct")), duration_ms=None),
            now=now,
            duration_ms=None,
            source=ReviewLog.Source.QUIZ,
            preference=preference,
        )
        reviews += 1
    return reviews


# --- relax mode: breaks after active study --------------------------------------------------------


@transaction.atomic
def study_heartbeat(*, learner: User) -> StudyActivity:
    """Count the time since the previous heartbeat as active learning, unless the learner was
    away (a gap above HEARTBEAT_MAX_GAP) or on a break."""
    now = timezone.now()
    activity, _ = StudyActivity.objects.select_for_update().get_or_create(learner=learner)
    if activity.break_started_at is None and activity.last_heartbeat_at is not None:
        gap = now - activity.last_heartbeat_at
        if timedelta(0) < gap <= HEARTBEAT_MAX_GAP:
            activity.active_seconds += int(gap.total_seconds())
    activity.last_heartbeat_at = now
    activity.save(update_fields=["active_seconds", "last_heartbeat_at"])
    return activity


def break_is_due(*, activity: StudyActivity, preference: LearningPreference) -> bool:
    """Relax mode offers a break once the chosen interval of active learning has passed."""
    return (
        activity.break_started_at is None
        and activity.active_seconds >= preference.study_interval_minutes * 60
    )


@transaction.atomic
def study_break_start(*, learner: User) -> StudyActivity:
    """Start a break: the study clock stops until the break ends."""
    activity, _ = StudyActivity.objects.select_for_update().get_or_create(learner=learner)
    if activity.break_started_at is None:
        activity.break_started_at = timezone.now()
        activity.save(update_fields=["break_started_at"])
    return activity


@transaction.atomic
def study_break_end(*, learner: User) -> StudyActivity:
    """End a break (or skip the offered one): the next study interval starts from zero."""
    activity, _ = StudyActivity.objects.select_for_update().get_or_create(learner=learner)
    activity.break_started_at = None
    activity.active_seconds = 0
    activity.last_heartbeat_at = None
    activity.save(update_fields=["break_started_at", "active_seconds", "last_heartbeat_at"])
    return activity


# --- binge mode: lessons in a row ---------------------------------------------------------------


@transaction.atomic
def binge_lesson_record(*, learner: User, completed_at: datetime | None = None) -> StudyActivity:
    """Count a completed lesson in the learner's current run; a long gap starts a new run."""
    now = completed_at or timezone.now()
    activity, _ = StudyActivity.objects.select_for_update().get_or_create(learner=learner)
    last = activity.last_lesson_completed_at
    if last is not None and timedelta(0) <= now - last <= BINGE_GAP:
        activity.lessons_in_a_row += 1
    else:
        activity.lessons_in_a_row = 1
    activity.last_lesson_completed_at = now
    activity.save(update_fields=["lessons_in_a_row", "last_lesson_completed_at"])
    return activity
