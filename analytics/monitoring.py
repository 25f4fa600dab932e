"""Prometheus metrics, per-request database query counts and slow-query logging.

`MetricsMiddleware` (added to MIDDLEWARE by the analytics block of lms/settings.py) times each
request per view and counts its queries; a database execute wrapper logs any query slower than
SLOW_QUERY_MS to the `lumen.slow_query` logger (with the request id from core.logging); Celery's
task signals count task outcomes. `/metrics` serves them in the Prometheus text format.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Gauge, Histogram

logger = logging.getLogger("lumen.slow_query")

REQUEST_LATENCY = Histogram(
    "lumen_http_request_duration_seconds",
    "HTTP request latency by view and method.",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10),
)
REQUESTS = Counter(
    "lumen_http_requests_total",
    "HTTP responses by view, method and status.",
    ["view", "method", "status"],
)
REQUEST_QUERIES = Histogram(
    "lumen_http_request_db_queries",
    "Database queries per HTTP request by view.",
    ["view"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 250),
)
DB_QUERIES = Counter("lumen_db_queries_total", "Database queries executed.", ["alias"])
SLOW_QUERIES = Counter("lumen_db_slow_queries_total", "Queries slower than SLOW_QUERY_MS.")
CELERY_TASKS = Counter(
    "lumen_celery_tasks_total", "Celery task outcomes by task name.", ["task", "outcome"]
)
WEBSOCKET_CONNECTIONS = Gauge(
    "lumen_websocket_connections",
    "Open WebSocket connections (counted by WebSocketConnectionGauge in lms.asgi).",
)

_queries = threading.local()  # per-thread query count, read by the middleware


class _QueryObserver:
    """Counts every query and logs the slow ones (installed on each new database connection)."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            DB_QUERIES.labels(self.alias).inc()
            _queries.n = getattr(_queries, "n", 0) + 1
            if elapsed_ms >= settings.SLOW_QUERY_MS:
                SLOW_QUERIES.inc()
                logger.warning(
                    "slow query",
                    extra={
                        "duration_ms": round(elapsed_ms, 1),
                        "sql": sql[:2000],
                        "db": self.alias,
                    },
                )


def _install_observer(sender: Any, connection: Any, **kwargs: Any) -> None:
    if not any(isinstance(w, _QueryObserver) for w in connection.execute_wrappers):
        connection.execute_wrappers.append(_QueryObserver(connection.alias))


def _task_outcome(outcome: str) -> Callable[..., None]:
    def handler(sender: Any = None, **kwargs: Any) -> None:
        name = getattr(sender, "name", None) or getattr(kwargs.get("sender"), "name", "unknown")
        CELERY_TASKS.labels(str(name), outcome).inc()

    return handler


_celery_handlers = {
    "success": _task_outcome("success"),
    "failure": _task_outcome("failure"),
    "retry": _task_outcome("retry"),
}


def connect() -> None:
    from celery import signals as celery_signals

    connection_created.connect(_install_observer, dispatch_uid="analytics_query_observer")
    for connection in connections.all(initialized_only=True):
        _install_observer(None, connection)
    celery_signals.task_success.connect(_celery_handlers["success"], weak=False)
    celery_signals.task_failure.connect(_celery_handlers["failure"], weak=False)
    celery_signals.task_retry.connect(_celery_handlers["retry"], weak=False)


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        queries_before = getattr(_queries, "n", 0)
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else "<unresolved>"
        REQUEST_LATENCY.labels(view, request.method).observe(time.perf_counter() - started)
        REQUESTS.labels(view, request.method, str(response.status_code)).inc()
        REQUEST_QUERIES.labels(view).observe(max(getattr(_queries, "n", 0) - queries_before, 0))
        return response


class WebSocketConnectionGauge:
    """ASGI middleware around the WebSocket routes: every accepted connection counts in
    `lumen_websocket_connections` until it ends, whichever consumer serves it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] != "websocket":
            return await self.inner(scope, receive, send)
        accepted = False

        async def counting_send(message: dict[str, Any]) -> None:
            nonlocal accepted
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                WEBSOCKET_CONNECTIONS.inc()
            await send(message)

        try:
            return await self.inner(scope, receive, counting_send)
        finally:
            if accepted:
                WEBSOCKET_CONNECTIONS.dec()
