"""Writes for notifications: create once per fact, deliver live and by email, mark read."""

from __future__ import annotations

import functools
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.exceptions import NotFoundError
from notifications.models import Kind, Notification, Preference

logger = logging.getLogger(__name__)


class NotificationNotFoundError(NotFoundError):
    default_code = "notification_not_found"


def user_group(user_id: int) -> str:
    """The channel-layer group every open tab of one user listens to."""
    return f"notifications.user.{user_id}"


def payload(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "link": notification.link,
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
    }


def unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def broadcast(*, user_id: int, message: dict[str, Any]) -> None:
    """Send one message to every open tab of the user (best effort: the inbox is the record)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(user_group(user_id), message)
    except Exception:  # a down channel layer must not fail the write that notified
        logger.warning("live notification to user %s not delivered", user_id, exc_info=True)


def _deliver(*, notification_id: int) -> None:
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return
    broadcast(
        user_id=notification.recipient_id,
        message={
            "type": "notification.new",
            "notification": payload(notification),
            "unread": unread_count(user_id=notification.recipient_id),
        },
    )


def notify(
    *,
    recipient: Any,
    kind: str,
    title: str,
    dedupe_key: str,
    body: str = "",
    link: str = "",
) -> Notification | None:
    """Notify a user once per fact (`dedupe_key`), in the app and by email as they chose; the
    live push and the mail go out after the transaction commits. None when they opted out."""
    preference = Preference.objects.filter(user=recipient, kind=kind).first()
    in_app = preference.in_app if preference else True
    by_email = preference.email if preference else False
    if not in_app and not by_email:
        return None
    try:
        with transaction.atomic():
            notification, created = Notification.objects.get_or_create(
                recipient=recipient,
                dedupe_key=dedupe_key[:200],
                defaults={
                    "kind": kind,
                    "title": title[:200],
                    "body": body[:500],
                    "link": link[:500],
                },
            )
    except IntegrityError:  # the same fact, notified at the same moment elsewhere
        return Notification.objects.get(recipient=recipient, dedupe_key=dedupe_key[:200])
    if created:
        if in_app:
            transaction.on_commit(functools.partial(_deliver, notification_id=notification.pk))
        if by_email and recipient.email:
            from notifications import tasks

            transaction.on_commit(
                functools.partial(tasks.notification_email.delay, notification.pk)
            )
    return notification


def _count_changed(user_id: int) -> None:
    broadcast(
        user_id=user_id,
        message={"type": "notification.count", "unread": unread_count(user_id=user_id)},
    )


@transaction.atomic
def notification_mark_read(*, user: Any, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (idempotent); other tabs update their count."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise NotificationNotFoundError("Notification not found.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        transaction.on_commit(functools.partial(_count_changed, user.pk))
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: Any) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    changed = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        transaction.on_commit(functools.partial(_count_changed, user.pk))
    return changed


@transaction.atomic
def preference_set(*, user: Any, kind: str, in_app: bool, email: bool) -> Preference:
    """Choose where one kind of notification reaches the user."""
    if kind not in Kind.values:
        from core.exceptions import ApplicationError

        raise ApplicationError("Unknown notification kind.", fields={"kind": ["Unknown kind."]})
    preference, _ = Preference.objects.update_or_create(
        user=user, kind=kind, defaults={"in_app": in_app, "email": email}
    )
    return preference
