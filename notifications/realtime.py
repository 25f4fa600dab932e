"""Group names and sends over the channel layer (Redis in production, in-memory by default)."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def user_group(user_id: int) -> str:
    return f"notifications.user.{user_id}"


def course_group(course_id: int) -> str:
    return f"notifications.course.{course_id}"


def group_send(group: str, message: dict[str, Any]) -> None:
    """Send to every socket in the group; a no-op without a channel layer."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, message)
