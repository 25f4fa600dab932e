"""JSON log lines that carry the request id and the signed-in user's id (LOG_FORMAT=json, the
default outside development)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from django.utils.functional import SimpleLazyObject, empty

from core.request_id import current_request_var, request_id_var

_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


def _user_id(request: object) -> int | None:
    """The request's user id if the request has already loaded its user (a session's lazy user
    once read, or the user DRF authenticated from a token); logging never costs a query."""
    user = getattr(request, "__dict__", {}).get("user")
    if isinstance(user, SimpleLazyObject):
        user = None if user._wrapped is empty else user._wrapped
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request_id = request_id_var.get()
            if request_id == "-":
                # Django logs 4xx/5xx responses ("django.request") after the middleware has
                # finished; those records carry the request itself.
                request_id = getattr(getattr(record, "request", None), "request_id", "-")
            record.request_id = request_id
        if not hasattr(record, "user_id"):
            request = current_request_var.get() or getattr(record, "request", None)
            record.user_id = _user_id(request) if request is not None else None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "timestamp": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = (
                    value if isinstance(value, str | int | float | bool | None) else repr(value)
                )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
