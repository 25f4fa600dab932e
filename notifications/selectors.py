"""Reads for notifications."""

from __future__ import annotations

from typing import Any

from notifications.models import Kind, Preference


def preference_list_for_user(*, user: Any) -> list[dict[str, Any]]:
    """Every kind with its channels for the user, defaults filled in for kinds never changed."""
    stored = {preference.kind: preference for preference in Preference.objects.filter(user=user)}
    rows = []
    for kind, label in Kind.choices:
        preference = stored.get(kind)
        rows.append(
            {
                "kind": kind,
                "label": label,
                "in_app": preference.in_app if preference else True,
                "email": preference.email if preference else False,
                "push": preference.push if preference else True,
            }
        )
    return rows
