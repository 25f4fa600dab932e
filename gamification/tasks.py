"""Celery adapters: load by id, call a service; every task is idempotent (ledger keys)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError
from django.utils import timezone

from gamification import leaderboards, services
from gamification.exceptions import LeagueCohortBusyError
from gamification.rules import Action

RETRY = {
    "acks_late": True,
    # A lost database connection, Redis, or every race for a league seat lost: all transient.
    "autoretry_for": (OperationalError, ConnectionError, LeagueCohortBusyError),
    "retry_backoff": True,
    "max_retries": 5,
}


def _user(user_id: int):  # type: ignore[no-untyped-def]
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


@shared_task(name="gamification.learning_rewarded", **RETRY)
def learning_rewarded(
    user_id: int,
    action: str,
    idempotency_key: str,
    course_id: int | None = None,
    at: str | None = None,
) -> int | None:
    """A learning event happened: extend the streak, then mint the action's XP (once per key)."""
    from courses.models import Course

    user = _user(user_id)
    if user is None:
        return None
    moment = dt.datetime.fromisoformat(at) if at else timezone.now()
    course = Course.objects.filter(pk=course_id).first() if course_id else None
    services.activity_record(user=user, at=moment)
    result = services.xp_award(
        user=user, action=action, idempotency_key=idempotency_key, course=course, at=moment
    )
    return result.transaction.pk if result else None


@shared_task(name="gamification.achievements_evaluate", **RETRY)
def achievements_evaluate(user_id: int) -> list[str]:
    user = _user(user_id)
    if user is None:
        return []
    return [row.code for row in services.achievements_evaluate(user=user)]


@shared_task(name="gamification.weekly_boards_settle", **RETRY)
def weekly_boards_settle() -> int:
    """Beat, Mondays: record last week's boards as history (the new week's sets start empty)."""
    last_week = leaderboards.week_start_of(timezone.now()) - dt.timedelta(days=7)
    return services.weekly_boards_settle(week_start=last_week)


@shared_task(name="gamification.streaks_check", **RETRY)
def streaks_check() -> int:
    """Beat, hourly: zero the streaks that missed days broke (each learner's own midnight), then
    warn the learners whose streak breaks tonight (`streak_at_risk`)."""
    changed = services.streaks_check()
    services.streak_risks_announce()
    return changed


@shared_task(name="gamification.leagues_settle", **RETRY)
def leagues_settle() -> int:
    """Beat, Mondays: settle every league cohort of an ended week (promotions and demotions)."""
    return services.leagues_settle()


@shared_task(name="gamification.leaderboards_rebuild", **RETRY)
def leaderboards_rebuild() -> int:
    return services.leaderboards_rebuild()


__all__ = ["Action", "achievements_evaluate", "learning_rewarded"]
