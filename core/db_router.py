"""Reads to a PostgreSQL read replica when `DATABASE_REPLICA_URL` names one; writes to the primary.

A replica lags behind the primary, so a learner must never miss what they just did. Reads go to
the replica only where that cannot happen:

- only during a request with a safe method (GET, HEAD, OPTIONS) that `ReplicaReadsMiddleware`
  opened to the replica: Celery tasks, management commands and the shell read the primary;
- not inside a transaction on the primary, and not after the request has written anything (the
  first write pins the rest of the request to the primary);
- not for `REPLICA_PIN_SECONDS` (default 5) after a request that changed something: the browser
  carries a short-lived cookie, so the page it is redirected to after a form reads the primary.

Without `DATABASE_REPLICA_URL` neither the router nor the middleware is installed.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

from core.http import SAFE_METHODS

PRIMARY = "default"
REPLICA = "replica"
PIN_COOKIE = "lumen_primary"

_reads_to_replica: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "lumen_reads_to_replica", default=False
)


def reads_to_replica() -> bool:
    """Whether a read here and now may go to the replica."""
    return _reads_to_replica.get() and not connections[PRIMARY].in_atomic_block


class PrimaryReplicaRouter:
    """Django's database router for one primary and one replica of the same data."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        return REPLICA if reads_to_replica() else PRIMARY

    def db_for_write(self, model: type, **hints: Any) -> str:
        _reads_to_replica.set(False)  # read your own writes for the rest of the request
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same rows on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


class ReplicaReadsMiddleware:
    """Opens a safe request's reads to the replica; pins the browser to the primary for a moment
    after a request that may have written."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        safe = request.method in SAFE_METHODS
        token = _reads_to_replica.set(safe and PIN_COOKIE not in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            _reads_to_replica.reset(token)
        if not safe:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
