"""Celery adapters for the analytics roll-ups (scheduled in CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from analytics import services


@shared_task(name="analytics.rollup_recent_days")
def rollup_recent_days(days: int = 2) -> int:
    """Rebuild today's and the previous days' facts (late events still land in yesterday)."""
    today = timezone.localdate()
    services.facts_backfill(start=today - timedelta(days=days - 1), end=today)
    return days


@shared_task(name="analytics.rollup_day")
def rollup_day(day: str) -> None:
    services.facts_rollup(day=date.fromisoformat(day))


@shared_task(name="analytics.purge_expired_events")
def purge_expired_events() -> int:
    return services.events_purge_expired()
