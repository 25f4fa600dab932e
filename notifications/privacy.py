"""Notifications' part of a user's data export and of account deletion (settings
USER_DATA_EXPORTERS / USER_DATA_ERASERS, called by accounts.privacy without importing this app).
"""

from __future__ import annotations

from typing import Any

from notifications.models import Notification, Preference, PushSubscription


def user_data_export(*, user_id: int) -> dict[str, Any]:
    """The inbox, the per-kind preferences and the devices subscribed to push (not their keys)."""
    return {
        "notifications": list(
            Notification.objects.filter(recipient_id=user_id)
            .order_by("created_at", "id")
            .values("kind", "title", "body", "link", "created_at", "read_at")
        ),
        "preferences": list(
            Preference.objects.filter(user_id=user_id)
            .order_by("kind")
            .values("kind", "in_app", "email", "push")
        ),
        "push_devices": list(
            PushSubscription.objects.filter(user_id=user_id)
            .order_by("created_at", "id")
            .values("user_agent", "created_at", "last_success_at")
        ),
    }


def user_data_erase(*, user_id: int) -> None:
    """Everything: the inbox, the preferences and every push subscription (no more pushes)."""
    Notification.objects.filter(recipient_id=user_id).delete()
    Preference.objects.filter(user_id=user_id).delete()
    PushSubscription.objects.filter(user_id=user_id).delete()
