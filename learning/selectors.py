"""Reads of the learning modes: preferences, due cards and review statistics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from courses.models import Course, Lesson
from learning.models import (
    CourseModePreference,
    LearningPreference,
    ReviewCard,
    ReviewLog,
    StudyActivity,
)

RETENTION_WINDOW = timedelta(days=30)


def preference_get(*, learner: User) -> LearningPreference:
    """The learner's preference, or the unsaved defaults: reading never writes."""
    preference = LearningPreference.objects.filter(learner=learner).first()
    return preference or LearningPreference(learner=learner)


def mode_get(*, learner: User, course: Course | None = None) -> str:
    """The mode a learner learns `course` in: their choice for that course, else their own."""
    if course is not None:
        chosen = (
            CourseModePreference.objects.filter(learner=learner, course=course)
            .values_list("mode", flat=True)
            .first()
        )
        if chosen:
            return chosen
    return preference_get(learner=learner).mode


def course_mode_list(*, learner: User) -> QuerySet[CourseModePreference]:
    """The learner's per-course modes, with their courses."""
    return (
        CourseModePreference.objects.filter(learner=learner)
        .select_related("course")
        .order_by("course__title")
    )


def card_list_due(
    *, learner: User, course_id: int | None = None, now: datetime | None = None
) -> QuerySet[ReviewCard]:
    """Cards due now, the most overdue first, with what a review page shows of each."""
    cards = ReviewCard.objects.filter(learner=learner, due__lte=now or timezone.now())
    if course_id is not None:
        cards = cards.filter(course_id=course_id)
    return (
        cards.select_related("question", "question__quiz__lesson", "course")
        .prefetch_related("question__choices")
        .order_by("due", "pk")
    )


def card_get(*, learner: User, card_id: int) -> ReviewCard | None:
    """One of the learner's cards (None for another learner's: they are not told it exists)."""
    return (
        ReviewCard.objects.filter(learner=learner, pk=card_id)
        .select_related("question", "course")
        .prefetch_related("question__choices")
        .first()
    )


def _end_of_today(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


@dataclass(frozen=True)
class ReviewStats:
    due_now: int
    due_today: int
    total_cards: int
    reviewed_today: int
    retention: float | None  # share of repeat reviews recalled in the last 30 days
    desired_retention: float


def review_stats(
    *, learner: User, course_id: int | None = None, now: datetime | None = None
) -> ReviewStats:
    """Due counts, today's reviews and measured retention, in two queries."""
    now = now or timezone.now()
    end_of_today = _end_of_today(now)
    start_of_today = end_of_today - timedelta(days=1)
    cards = ReviewCard.objects.filter(learner=learner)
    logs = ReviewLog.objects.filter(learner=learner)
    if course_id is not None:
        cards = cards.filter(course_id=course_id)
        logs = logs.filter(card__course_id=course_id)
    card_counts = cards.aggregate(
        due_now=Count("pk", filter=Q(due__lte=now)),
        due_today=Count("pk", filter=Q(due__lt=end_of_today)),
        total=Count("pk"),
    )
    log_counts = logs.aggregate(
        reviewed_today=Count("pk", filter=Q(reviewed_at__gte=start_of_today)),
        repeat=Count("pk", filter=Q(number__gt=1, reviewed_at__gte=now - RETENTION_WINDOW)),
        recalled=Count(
            "pk",
            filter=Q(number__gt=1, reviewed_at__gte=now - RETENTION_WINDOW)
            & ~Q(rating=ReviewLog.Rating.AGAIN),
        ),
    )
    repeat = log_counts["repeat"]
    return ReviewStats(
        due_now=card_counts["due_now"],
        due_today=card_counts["due_today"],
        total_cards=card_counts["total"],
        reviewed_today=log_counts["reviewed_today"],
        retention=round(log_counts["recalled"] / repeat, 4) if repeat else None,
        desired_retention=preference_get(learner=learner).desired_retention,
    )


def review_count_due(*, learner: User, now: datetime | None = None) -> int:
    """How many cards are due now: the dashboard's badge (the same figure as the API's due_now)."""
    return ReviewCard.objects.filter(learner=learner, due__lte=now or timezone.now()).count()


def study_activity_get(*, learner: User) -> StudyActivity:
    """The learner's study clock, or a fresh unsaved one."""
    activity = StudyActivity.objects.filter(learner=learner).first()
    return activity or StudyActivity(learner=learner)


def lesson_next(*, lesson: Lesson) -> tuple[Lesson | None, bool]:
    """The lesson after `lesson` in its course (across modules) and whether it starts a new
    module (binge mode's "one more lesson?" moment)."""
    course_lessons = list(
        Lesson.objects.filter(module__course_id=lesson.module.course_id)
        .select_related("module")
        .order_by("module__order", "order", "pk")
    )
    ids = [each.pk for each in course_lessons]
    index = ids.index(lesson.pk)
    if index + 1 >= len(course_lessons):
        return None, True
    following = course_lessons[index + 1]
    return following, following.module_id != lesson.module_id
