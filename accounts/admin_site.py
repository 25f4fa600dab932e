"""Lumen's admin site: every ModelAdmin registered on it is audited (accounts.audit).

`LumenAdminSite` is the default admin site (`LumenAdminConfig` in accounts.apps replaces
django.contrib.admin in INSTALLED_APPS), so `admin.site` and `@admin.register` are this site and
every app's admin classes, Lumen's and dj-stripe's alike, get `AuditedAdminMixin` without being
changed: additions, changes (with the changed values), deletions and every admin action leave an
AuditEntry next to Django's own LogEntry.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db.models import Model, QuerySet
from django.http import HttpRequest

REQUEST_CHANGES_ATTRIBUTE = "_lumen_audit_changes"
ACTION_IDS_KEPT = 500


def _audit() -> Any:
    from accounts import audit  # models are not ready when the admin site is built

    return audit


def _actor(request: HttpRequest) -> Any:
    return getattr(request, "user", None)


def _audited_action(func: Callable[..., Any], name: str) -> Callable[..., Any]:
    @functools.wraps(func)
    def run(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> Any:
        if name == "delete_selected":
            # Each deleted object is recorded by log_deletions (the first call only asks to
            # confirm and deletes nothing).
            return func(modeladmin, request, queryset)
        ids = [str(pk) for pk in queryset.values_list("pk", flat=True)[:ACTION_IDS_KEPT]]
        count = queryset.count()
        response = func(modeladmin, request, queryset)
        opts = modeladmin.model._meta
        _audit().audit_record(
            actor=_actor(request),
            action=_audit().AuditEntry.Action.ADMIN_ACTION,
            target_type=opts.label_lower,
            target_id=ids[0] if count == 1 else "",
            target_repr=f"{name} on {count} "
            f"{opts.verbose_name if count == 1 else opts.verbose_name_plural}",
            changes={"action": name, "count": count, "ids": ids},
        )
        return response

    return run


class AuditedAdminMixin:
    """Records admin additions, changes, deletions and actions in the audit log."""

    def get_actions(self, request: HttpRequest) -> dict[str, tuple[Callable[..., Any], str, str]]:
        actions = super().get_actions(request)  # type: ignore[misc]
        return {
            name: (_audited_action(func, name), action_name, description)
            for name, (func, action_name, description) in actions.items()
        }

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> Any:
        message = super().construct_change_message(request, form, formsets, add)  # type: ignore[misc]
        before = {} if add else dict(form.initial)
        after = getattr(form, "cleaned_data", {})
        setattr(
            request,
            REQUEST_CHANGES_ATTRIBUTE,
            _audit().audit_field_changes(form.changed_data, before, after),
        )
        return message

    def _changes(self, request: HttpRequest, message: Any) -> dict[str, Any]:
        fields = getattr(request, REQUEST_CHANGES_ATTRIBUTE, {})
        if hasattr(request, REQUEST_CHANGES_ATTRIBUTE):
            delattr(request, REQUEST_CHANGES_ATTRIBUTE)
        if isinstance(message, list):  # construct_change_message's structured form
            message = json.dumps(message)
        summary = LogEntry(change_message=message).get_change_message() if message else ""
        return {"fields": fields, "summary": summary}

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        _audit().audit_record(
            actor=_actor(request),
            action=_audit().AuditEntry.Action.ADMIN_ADD,
            target=obj,
            changes=self._changes(request, message),
        )
        return entry

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        _audit().audit_record(
            actor=_actor(request),
            action=_audit().AuditEntry.Action.ADMIN_CHANGE,
            target=obj,
            changes=self._changes(request, message),
        )
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        objects = list(queryset)
        entries = super().log_deletions(request, objects)  # type: ignore[misc]
        for obj in objects:
            _audit().audit_record(
                actor=_actor(request), action=_audit().AuditEntry.Action.ADMIN_DELETE, target=obj
            )
        return entries


class LumenAdminSite(admin.AdminSite):
    site_header = "Lumen administration"
    site_title = "Lumen admin"

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (AuditedAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)
