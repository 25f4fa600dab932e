"""Writes for notifications: create (and deliver), mark read, preferences, push devices."""

from __future__ import annotations

import functools
import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from core.exceptions import ApplicationError, PermissionDeniedError
from courses.models import Course, Enrollment
from notifications import realtime, selectors, webpush_client
from notifications.exceptions import (
    InvalidSubscriptionError,
    NotificationNotFoundError,
    PushNotConfiguredError,
)
from notifications.models import Kind, Notification, NotificationPreference, PushSubscription

logger = logging.getLogger(__name__)


def notification_payload(notification: Notification) -> dict[str, Any]:
    """The JSON shape sent to sockets and push services (and returned by the API)."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "link": notification.link,
        "created_at": notification.created_at.isoformat(),
        "read_at": notification.read_at.isoformat() if notification.read_at else None,
    }


def _broadcast_unread_count(user_id: int) -> None:
    count = Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
    realtime.group_send(
        realtime.user_group(user_id), {"type": "notification.unread", "unread_count": count}
    )


def _deliver(notification_id: int) -> None:
    """After commit: the live push to every open tab of the recipient."""
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        return
    count = selectors.notification_unread_count(user=notification.recipient)
    realtime.group_send(
        realtime.user_group(notification.recipient_id),
        {
            "type": "notification.created",
            "notification": notification_payload(notification),
            "unread_count": count,
        },
    )


def _email(user: User, title: str, body: str, link: str) -> None:
    url = f"{settings.SITE_URL.rstrip('/')}{link}" if link.startswith("/") else link
    send_mail(
        subject=title,
        message=f"{body}\n\n{url}".strip(),
        from_email=None,
        recipient_list=[user.email],
        fail_silently=False,
    )


@transaction.atomic
def notification_create(
    *,
    recipient: User,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str = "",
    deliver_live: bool = True,
) -> Notification | None:
    """Notify one user through the channels they chose for this kind; once per dedupe key.

    Returns the in-app notification (None when the user turned in-app off for the kind). The live
    push, email and web push are scheduled on commit, and not at all for a repeated dedupe key.
    """
    if kind not in Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}")
    if not recipient.is_active:
        return None
    channels = selectors.preference_for(user=recipient, kind=kind)
    notification = None
    if channels["in_app"]:
        if dedupe_key:
            try:
                with transaction.atomic():
                    notification, created = Notification.objects.get_or_create(
                        recipient=recipient,
                        dedupe_key=dedupe_key,
                        defaults={"kind": kind, "title": title, "body": body, "link": link},
                    )
            except IntegrityError:  # a concurrent call created it between our read and write
                return Notification.objects.get(recipient=recipient, dedupe_key=dedupe_key)
            if not created:
                return notification
        else:
            notification = Notification.objects.create(
                recipient=recipient, kind=kind, title=title, body=body, link=link
            )
        if deliver_live:
            transaction.on_commit(functools.partial(_deliver, notification.pk))
    elif (
        dedupe_key
        and Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).exists()
    ):
        return None
    if channels["email"] and recipient.email:
        transaction.on_commit(functools.partial(_email, recipient, title, body, link))
    if channels["push"] and webpush_client.is_configured():
        from notifications import tasks  # tasks import this module

        payload = {"title": title, "body": body, "link": link or "/notifications/", "kind": kind}
        if notification is not None:
            payload["id"] = notification.pk
        transaction.on_commit(
            functools.partial(tasks.push_deliver.delay, user_id=recipient.pk, payload=payload)
        )
    return notification


@transaction.atomic
def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (again is a no-op); others' are not found."""
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:
        raise NotificationNotFoundError("No such notification.")
    if notification.read_at is None:
        now = timezone.now()
        updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now
        )
        notification.refresh_from_db(fields=["read_at"])
        if updated:
            transaction.on_commit(functools.partial(_broadcast_unread_count, user.pk))
    return notification


@transaction.atomic
def notification_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    updated = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if updated:
        transaction.on_commit(functools.partial(_broadcast_unread_count, user.pk))
    return updated


@transaction.atomic
def preferences_update(
    *, user: User, changes: dict[str, dict[str, bool]]
) -> dict[str, dict[str, bool]]:
    """Set channels per kind (`{kind: {"email": True}}`); unknown kinds or channels are refused."""
    errors: dict[str, list[str]] = {}
    for kind, channels in changes.items():
        if kind not in Kind.values:
            errors[kind] = ["Unknown notification kind."]
            continue
        bad = set(channels) - set(NotificationPreference.DEFAULTS)
        if bad or not all(isinstance(v, bool) for v in channels.values()):
            errors[kind] = ["Channels are in_app, email and push, each true or false."]
    if errors:
        raise ApplicationError("Some preferences are invalid.", fields=errors)
    for kind, channels in changes.items():
        pref, _ = NotificationPreference.objects.get_or_create(user=user, kind=kind)
        for channel, value in channels.items():
            setattr(pref, channel, value)
        pref.save()
    return selectors.preference_map_for_user(user=user)


@transaction.atomic
def push_subscription_save(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    """Store a device's subscription (the same endpoint again updates it, even for a new user)."""
    if not webpush_client.is_configured():
        raise PushNotConfiguredError("Push notifications are not configured on this server.")
    if not endpoint.startswith("https://") and not settings.DEBUG and not settings.IS_TEST:
        raise InvalidSubscriptionError("A push endpoint must be an https URL.")
    if not p256dh or not auth:
        raise InvalidSubscriptionError("A push subscription needs its p256dh and auth keys.")
    subscription, _ = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300]},
    )
    return subscription


@transaction.atomic
def push_subscription_delete(*, user: User, endpoint: str) -> bool:
    """Forget one of the user's devices; returns whether there was one."""
    deleted, _ = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return bool(deleted)


def push_deliver(*, user_id: int, payload: dict[str, Any]) -> dict[str, int]:
    """Send a payload to every device of the user, pruning devices the push service says are gone.

    Raises PushTransientError when no device could be reached for a transient reason, so the task
    retries; once any device got the message a retry would repeat it there, so none is made.
    """
    sent = pruned = 0
    transient: list[Exception] = []
    for subscription in selectors.push_subscription_list_for_user(user_id=user_id):
        device = webpush_client.Device(
            endpoint=subscription.endpoint, p256dh=subscription.p256dh, auth=subscription.auth
        )
        try:
            webpush_client.send(device=device, payload=payload)
        except webpush_client.PushGoneError:
            PushSubscription.objects.filter(pk=subscription.pk).delete()
            pruned += 1
        except webpush_client.PushTransientError as error:
            logger.warning("push delivery failed", extra={"subscription": subscription.pk})
            transient.append(error)
        else:
            PushSubscription.objects.filter(pk=subscription.pk).update(
                last_success_at=timezone.now()
            )
            sent += 1
    if transient and not sent:
        raise webpush_client.PushTransientError(str(transient[0]))
    return {"sent": sent, "pruned": pruned, "failed": len(transient)}


@transaction.atomic
def course_announcement_send(
    *, course: Course, author: User, title: str, body: str = "", key: str = ""
) -> list[Notification]:
    """An instructor's announcement to every learner of a course, once per learner and key.

    Each learner gets an inbox notification; open sockets hear it through one send to the
    course's group instead of one per learner.
    """
    if not author.is_staff and not course.instructors.filter(pk=author.pk).exists():
        raise PermissionDeniedError("Only the course's instructors can announce to it.")
    if not title.strip():
        raise ApplicationError("An announcement needs a title.", fields={"title": ["Required."]})
    dedupe_key = f"announcement:{course.pk}:{key or uuid.uuid4().hex}"
    learners = User.objects.filter(
        pk__in=Enrollment.objects.filter(course=course).values("learner_id"), is_active=True
    )
    created = []
    for learner in learners:
        notification = notification_create(
            recipient=learner,
            kind=Kind.ANNOUNCEMENT,
            title=title.strip(),
            body=body,
            link=f"/courses/{course.slug}/",
            dedupe_key=dedupe_key,
            deliver_live=False,
        )
        if notification is not None:
            created.append(notification)
    transaction.on_commit(
        functools.partial(
            realtime.group_send,
            realtime.course_group(course.pk),
            {"type": "notification.course", "dedupe_key": dedupe_key},
        )
    )
    return created
