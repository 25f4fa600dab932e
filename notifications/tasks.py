"""Celery adapters for notifications."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from notifications import services, webpush_client


@shared_task(
    autoretry_for=(webpush_client.PushTransientError,),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=5,
)
def push_deliver(*, user_id: int, payload: dict[str, Any]) -> dict[str, int]:
    """Send one web push message to every device of a user."""
    return services.push_deliver(user_id=user_id, payload=payload)


@shared_task
def notification_send(
    *, user_id: int, kind: str, title: str, body: str = "", link: str = "", dedupe_key: str = ""
) -> int | None:
    """Create a notification from a job (scheduled reminders, other apps' tasks)."""
    from accounts.models import User

    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    notification = services.notification_create(
        recipient=user, kind=kind, title=title, body=body, link=link, dedupe_key=dedupe_key
    )
    return notification.pk if notification else None
