"""The audit log's one writer: `audit_record` (an AuditEntry per privileged action).

The caller's address comes from the request being served (core.request_id's context variable,
set by RequestIdMiddleware), so services record it without being handed the request; a task or a
command records none.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile

from accounts.models import AuditEntry, User
from core.http import client_ip
from core.request_id import current_request_var

# Form fields whose values never go into the log (only that they changed).
SECRET_FIELD_PARTS = ("password", "secret", "token", "key")
VALUE_MAX_CHARS = 500


def _request_ip() -> str | None:
    request = current_request_var.get()
    return client_ip(request) if request is not None else None


def audit_value(value: Any) -> Any:
    """A JSON-ready, bounded copy of a field value (objects by primary key, files by name)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= VALUE_MAX_CHARS else value[:VALUE_MAX_CHARS] + "…"
    if isinstance(value, models.Model):
        return audit_value(value.pk)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, models.QuerySet | list | tuple | set | frozenset):
        items = [audit_value(item) for item in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "read"):  # an uploaded file
        return getattr(value, "name", "") or ""
    return audit_value(str(value))


def audit_field_changes(names: Iterable[str], before: dict, after: dict) -> dict[str, Any]:
    """{field: [before, after]} for the named fields, secrets masked."""
    changes: dict[str, Any] = {}
    for name in names:
        if any(part in name.lower() for part in SECRET_FIELD_PARTS):
            changes[name] = "(changed)"
        else:
            changes[name] = [audit_value(before.get(name)), audit_value(after.get(name))]
    return changes


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the audit log (actor, action, target, changes, the caller's address)."""
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_repr = target_repr or str(target)
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr[:200],
        changes=changes or {},
        ip=_request_ip(),
    )
