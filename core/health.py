"""Readiness checks: is each engine Lumen depends on reachable right now?"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connections


def database_check() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def cache_check() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was written")
    cache.delete(key)


def broker_check() -> None:
    from lms.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_BROKER_URL.startswith("memory://"):
        return  # embedded default: tasks run in-process, there is no broker to reach
    # The URL from the settings, which Celery itself read once at start-up.
    with app.connection_for_write(url=settings.CELERY_BROKER_URL) as connection:
        # One immediate retry, no back-off: a probe must answer within its own timeout.
        connection.ensure_connection(
            max_retries=1,
            interval_start=0,
            interval_step=0,
            timeout=settings.READINESS_TIMEOUT_SECONDS,
        )


CHECKS: dict[str, Callable[[], None]] = {
    "database": database_check,
    "cache": cache_check,
    "broker": broker_check,
}


def readiness() -> dict[str, str]:
    """Run every check; map each name to "ok" or the reason it failed."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # any failure means "not ready"; the reason is reported
            results[name] = f"error: {type(error).__name__}: {error}"[:300]
        else:
            results[name] = "ok"
    return results
