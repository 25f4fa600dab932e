"""Celery adapters: load by id, call a service. Idempotent (the ledger's keys), acks late, retried
on transient database errors only."""

from __future__ import annotations

from celery import shared_task
from django.apps import apps
from django.db import OperationalError

from accounts.models import User
from courses.models import Course
from gamification import services

RETRY = {
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(name="gamification.xp_award", **RETRY)
def xp_award(
    user_id: int,
    action: str,
    idempotency_key: str,
    course_id: int | None = None,
    source_model: str = "",
    source_id: int | None = None,
) -> int | None:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None  # the account was deleted meanwhile: nothing to award
    course = Course.objects.filter(pk=course_id).first() if course_id else None
    source = None
    if source_model and source_id is not None:
        source = apps.get_model(source_model).objects.filter(pk=source_id).first()
    entry = services.xp_award(
        user=user, action=action, idempotency_key=idempotency_key, course=course, source=source
    )
    return entry.pk if entry else None


@shared_task(name="gamification.achievements_evaluate", **RETRY)
def achievements_evaluate(user_id: int) -> list[str]:
    user = User.objects.filter(pk=user_id).first()
    return services.achievements_evaluate(user=user) if user else []


@shared_task(name="gamification.streaks_expire", **RETRY)
def streaks_expire() -> int:
    return services.streaks_expire()


@shared_task(name="gamification.leaderboards_rebuild", **RETRY)
def leaderboards_rebuild() -> int:
    from gamification.leaderboard import leaderboards_rebuild as rebuild

    return rebuild(weeks=2)
