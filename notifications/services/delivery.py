"""Create a notification once per fact, deliver it live, by email and by web push as the user
chose, mark read (every open tab follows), and the per-kind preferences."""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from core.exceptions import ApplicationError, NotFoundError
from notifications import webpush_client
from notifications.models import Channels, Kind, Notification, Preference, default_channels

logger = logging.getLogger(__name__)


class NotificationNotFoundError(NotFoundError):
    default_code = "notification_not_found"


def user_group(user_id: int) -> str:
    """The channel-layer group every open tab of one user listens to."""
    return f"notifications.user.{user_id}"


def course_group(course_id: int) -> str:
    """The channel-layer group every open tab of every learner of one course listens to."""
    return f"notifications.course.{course_id}"


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


def group_send(*, group: str, message: dict[str, Any]) -> None:
    """Send one message to every socket in a group (best effort: the inbox is the record)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # a down channel layer must not fail the write that notified
        logger.warning("live message to %s not delivered", group, exc_info=True)


def group_send_many(messages: list[tuple[str, dict[str, Any]]]) -> None:
    """Send many (group, message) pairs at once, concurrently on one event loop (best effort,
    like group_send: the inbox is the record)."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return

    async def send_all() -> None:
        results = await asyncio.gather(
            *(layer.group_send(group, message) for group, message in messages),
            return_exceptions=True,
        )
        failed = sum(isinstance(result, Exception) for result in results)
        if failed:
            logger.warning("%d of %d live messages not delivered", failed, len(messages))

    async_to_sync(send_all)()


def broadcast(*, user_id: int, message: dict[str, Any]) -> None:
    """Send one message to every open tab of the user."""
    group_send(group=user_group(user_id), message=message)


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
    live: bool = True,
) -> Notification | None:
    """Notify a user once per fact (`dedupe_key`), in the app, by email and by web push as they
    chose; the live push, the mail and the web push go out after the transaction commits. None
    when they opted out of every channel. `live=False` leaves the socket message to the caller
    (a course broadcast sends one message to the course's group instead)."""
    channels = preference_channels(user=recipient, kind=kind)
    in_app, by_email, by_push = channels.in_app, channels.email, channels.push
    if not in_app and not by_email and not by_push:
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
        if in_app and live:
            transaction.on_commit(functools.partial(_deliver, notification_id=notification.pk))
        mail_and_push_on_commit(
            notification, email=by_email and bool(recipient.email), push=by_push
        )
    return notification


def mail_and_push_on_commit(notification: Notification, *, email: bool, push: bool) -> None:
    """After commit, a new notification goes out by email and by web push as chosen (push only
    when the site has VAPID keys)."""
    from notifications import tasks  # tasks import this module

    if email:
        transaction.on_commit(functools.partial(tasks.notification_email.delay, notification.pk))
    if push and webpush_client.is_configured():
        transaction.on_commit(functools.partial(tasks.notification_push.delay, notification.pk))


def unread_counts(*, user_ids: list[int]) -> dict[int, int]:
    """Unread notifications of many users in one query (users with none are left out)."""
    rows = (
        Notification.objects.filter(recipient_id__in=user_ids, read_at__isnull=True)
        .order_by()
        .values_list("recipient_id")
        .annotate(total=Count("pk"))
    )
    return dict(rows)


def preference_channels(*, user: Any, kind: str) -> Channels:
    """Where one kind reaches the user: their choice, else the kind's defaults."""
    preference = Preference.objects.filter(user=user, kind=kind).first()
    if preference is None:
        return default_channels(kind)
    return Channels(in_app=preference.in_app, email=preference.email, push=preference.push)


def _count_changed(user_id: int, read: list[int] | str) -> None:
    """Every open tab of the user learns the new unread count and what was read (a list of ids,
    or "all"), so their bells and inboxes follow a mark-read made in another tab."""
    broadcast(
        user_id=user_id,
        message={
            "type": "notification.count",
            "unread": unread_count(user_id=user_id),
            "read": read,
        },
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
        transaction.on_commit(functools.partial(_count_changed, user.pk, [notification.pk]))
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: Any) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    changed = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if changed:
        transaction.on_commit(functools.partial(_count_changed, user.pk, "all"))
    return changed


@transaction.atomic
def preference_set(*, user: Any, kind: str, in_app: bool, email: bool, push: bool) -> Preference:
    """Choose where one kind of notification reaches the user."""
    if kind not in Kind.values:
        raise ApplicationError("Unknown notification kind.", fields={"kind": ["Unknown kind."]})
    preference, _ = Preference.objects.update_or_create(
        user=user, kind=kind, defaults={"in_app": in_app, "email": email, "push": push}
    )
    return preference
