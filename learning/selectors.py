"""Reads for revision and modes: due cards, stats, the mode in force, challenge boards."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.http import request_user_row
from learning.models import (
    ChallengeRun,
    CourseModePreference,
    LearningPreference,
    Mode,
    ReviewCard,
    ReviewLog,
)

# Binge mode: a pause longer than this between two completed lessons ends the run.
BINGE_SESSION_GAP = dt.timedelta(minutes=30)


def _end_of_local_day(user: Any, now: dt.datetime) -> dt.datetime:
    try:
        zone = zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = now.astimezone(zone)
    tomorrow = (local + dt.timedelta(days=1)).date()
    return dt.datetime.combine(tomorrow, dt.time(), tzinfo=zone)


def due_cards(
    *, learner: Any, course_id: int | None = None, now: dt.datetime | None = None
) -> QuerySet[ReviewCard]:
    """The learner's cards due now (oldest due first), with question, choices and course."""
    moment = now or timezone.now()
    cards = ReviewCard.objects.filter(learner=learner, due__lte=moment)
    if course_id is not None:
        cards = cards.filter(course_id=course_id)
    return cards.select_related("question", "course").prefetch_related("question__choices")


def due_courses(*, learner: Any, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The courses the learner has cards due in, with how many (by title). One query."""
    moment = now or timezone.now()
    return list(
        ReviewCard.objects.filter(learner=learner, due__lte=moment)
        .values("course_id", "course__title")
        .annotate(due=Count("id"))
        .order_by("course__title", "course_id")
    )


@dataclass(frozen=True)
class ReviewStats:
    due_now: int
    due_today: int
    reviewed_today: int
    total_cards: int
    retention_percent: int | None  # share of review-session ratings that were not "again"


def review_stats(*, learner: Any, now: dt.datetime | None = None) -> ReviewStats:
    """Due now, due by the end of the learner's day, reviewed today and recent retention."""
    moment = now or timezone.now()
    end = _end_of_local_day(learner, moment)
    start = end - dt.timedelta(days=1)
    recent = moment - dt.timedelta(days=30)
    reviewed = Q(logs__source=ReviewLog.Source.REVIEW)
    # One query: the learner's cards joined to their logs (a card without logs counts once).
    counts = ReviewCard.objects.filter(learner=learner).aggregate(
        due_now=Count("id", filter=Q(due__lte=moment), distinct=True),
        due_today=Count("id", filter=Q(due__lt=end), distinct=True),
        total=Count("id", distinct=True),
        today=Count(
            "logs", filter=reviewed & Q(logs__reviewed_at__gte=start, logs__reviewed_at__lt=end)
        ),
        recent=Count("logs", filter=reviewed & Q(logs__reviewed_at__gte=recent)),
        remembered=Count(
            "logs", filter=reviewed & Q(logs__reviewed_at__gte=recent, logs__rating__gt=1)
        ),
    )
    retention = counts["remembered"] * 100 // counts["recent"] if counts["recent"] else None
    return ReviewStats(
        due_now=counts["due_now"],
        due_today=counts["due_today"],
        reviewed_today=counts["today"],
        total_cards=counts["total"],
        retention_percent=retention,
    )


def request_user_with_preference(users: QuerySet[Any]) -> QuerySet[Any]:
    """settings.REQUEST_USER_LOADERS: each user's saved preferences, joined to the user's own
    query (a one-to-one row), so the mode every page reads costs no query."""
    return users.select_related("learning_preference")


def preference_or_defaults(*, user: Any) -> LearningPreference:
    """The learner's saved preferences, or the defaults (unsaved) if they never chose any."""
    return LearningPreference.objects.filter(user=user).first() or LearningPreference(user=user)


def preference_for_request(request: Any) -> LearningPreference:
    """The signed-in learner's preferences as a page reads them: from the request's user when it
    was loaded with them (`request_user_with_preference`) and the request cannot have changed
    them since (a GET); a POST may have, and reads them again."""
    loaded, preference = request_user_row(request, LearningPreference)
    if loaded:
        return preference or LearningPreference(user=request.user)
    return preference_or_defaults(user=request.user)


def default_mode_for_request(request: Any) -> str:
    """The signed-in learner's default mode, read once per request: the dashboard's panels and
    every template (`learning_mode`) share one query."""
    cached = getattr(request, "_learning_default_mode", None)
    if cached is None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            cached = str(Mode.STANDARD)
        else:
            cached = str(preference_for_request(request).mode)
        request._learning_default_mode = cached
    return cached


def course_with_viewer_mode(courses: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """settings.COURSE_VIEWER_LOADERS: the mode the signed-in viewer chose for each course
    (`viewer_course_mode`, None if none), joined to the course pages' own query."""
    chosen = CourseModePreference.objects.filter(user_id=user.pk, course_id=OuterRef("pk"))
    return courses.annotate(viewer_course_mode=Subquery(chosen.values("mode")[:1]))


def course_mode_for_viewer(*, user: Any, course: Any) -> str | None:
    """The mode the learner chose for this course, or None: from the course's own query when it
    brought it for this user (`course_with_viewer_mode`), else `course_mode_get`'s query."""
    if hasattr(course, "viewer_course_mode") and getattr(course, "viewer_id", None) == user.pk:
        return course.viewer_course_mode
    return course_mode_get(user=user, course_id=course.pk)


def course_mode_get(*, user: Any, course_id: int) -> str | None:
    """The mode the learner chose for one course, or None."""
    return (
        CourseModePreference.objects.filter(user=user, course_id=course_id)
        .values_list("mode", flat=True)
        .first()
    )


@dataclass(frozen=True)
class CourseMode:
    course_id: int
    course_title: str
    mode: str


def course_mode_list(*, user: Any) -> list[CourseMode]:
    """The modes the learner chose for particular courses, by course title. One query."""
    rows = (
        CourseModePreference.objects.filter(user=user)
        .order_by("course__title", "course_id")
        .values_list("course_id", "course__title", "mode")
    )
    return [CourseMode(course_id, title, mode) for course_id, title, mode in rows]


def mode_for(*, user: Any, course_id: int | None) -> str:
    """The mode in force: the course's own choice, else the learner's default."""
    if not getattr(user, "is_authenticated", False):
        return Mode.STANDARD
    default = LearningPreference.objects.filter(user_id=user.pk).values("mode")
    if course_id is None:
        return default.values_list("mode", flat=True).first() or Mode.STANDARD
    # One query for both: the course's choice, else the default, else standard.
    chosen = CourseModePreference.objects.filter(user_id=user.pk, course_id=course_id).values(
        "mode"
    )[:1]
    return (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(mode=Coalesce(Subquery(chosen), Subquery(default[:1]), Value(str(Mode.STANDARD))))
        .values_list("mode", flat=True)
        .first()
        or Mode.STANDARD
    )


# Relax mode: a pause this long between two reports of active learning was a break already.
RELAX_NATURAL_BREAK = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class RelaxStatus:
    active_seconds: int
    interval_seconds: int

    @property
    def break_due(self) -> bool:
        return self.active_seconds >= self.interval_seconds


def relax_status(*, user: Any, now: dt.datetime | None = None) -> RelaxStatus:
    """Active learning counted since the learner's last break (none after a pause of
    RELAX_NATURAL_BREAK) and their chosen interval; the break is due once it is reached."""
    moment = now or timezone.now()
    preference = preference_or_defaults(user=user)
    active = preference.relax_active_seconds
    last = preference.relax_last_activity_at
    if last is None or moment - last >= RELAX_NATURAL_BREAK:
        active = 0
    return RelaxStatus(
        active_seconds=active, interval_seconds=preference.relax_interval_minutes * 60
    )


def binge_run_length(*, preference: LearningPreference, now: dt.datetime | None = None) -> int:
    """Lessons completed in a row in the current binge session (0 once the pause between
    lessons has grown past the session gap)."""
    moment = now or timezone.now()
    last = preference.binge_last_lesson_at
    if last is None or moment - last > BINGE_SESSION_GAP:
        return 0
    return preference.binge_run_count


def challenge_leaderboard(
    *, course_id: int | None = None, category_id: int | None = None, limit: int = 10
) -> list[dict[str, Any]]:
    """Each learner's best score in one challenge (a course's, or a category's: the two are
    separate boards), best first; ties go to the lower user id. One query."""
    scope = {"course_id": course_id} if course_id is not None else {"category_id": category_id}
    rows = (
        ChallengeRun.objects.filter(**scope, score__isnull=False, score__gt=0)
        .values("learner_id", "learner__display_name")
        .annotate(best=Max("score"))
        .order_by("-best", "learner_id")[:limit]
    )
    return [
        {
            "rank": index + 1,
            "user_id": row["learner_id"],
            "display_name": row["learner__display_name"] or f"Learner {row['learner_id']}",
            "score": row["best"],
        }
        for index, row in enumerate(rows)
    ]


def achievement_counts(*, user: Any) -> dict[str, int]:
    """What gamification's badges count from revision and challenge mode's own tables (reviews
    done in review sessions, challenges completed with a right answer), so a daily XP cap never
    stops them (settings.ACHIEVEMENT_METRIC_SOURCES). Two queries."""
    return {
        "reviews_done": ReviewLog.objects.filter(
            card__learner=user, source=ReviewLog.Source.REVIEW
        ).count(),
        "challenges_completed": ChallengeRun.objects.filter(
            learner=user, submitted_at__isnull=False, correct_count__gt=0
        ).count(),
    }
