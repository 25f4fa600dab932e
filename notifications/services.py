"""Writes for notifications: create once per fact, deliver live and by email, mark read."""

from __future__ import annotations

import functools
import logging
import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError
from core.roles import Role
from courses.models import Course, Enrollment
from notifications import webpush_client
from notifications.models import Kind, Notification, Preference, PushSubscription

logger = logging.getLogger(__name__)


class NotificationNotFoundError(NotFoundError):
    default_code = "notification_not_found"


class InvalidSubscriptionError(ApplicationError):
    default_code = "invalid_subscription"


class PushNotConfiguredError(ApplicationError):
    status_code = 503
    default_code = "push_not_configured"


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
    preference = Preference.objects.filter(user=recipient, kind=kind).first()
    in_app = preference.in_app if preference else True
    by_email = preference.email if preference else False
    by_push = preference.push if preference else True
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
        from notifications import tasks  # tasks import this module

        if in_app and live:
            transaction.on_commit(functools.partial(_deliver, notification_id=notification.pk))
        if by_email and recipient.email:
            transaction.on_commit(
                functools.partial(tasks.notification_email.delay, notification.pk)
            )
        if by_push and webpush_client.is_configured():
            transaction.on_commit(functools.partial(tasks.notification_push.delay, notification.pk))
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
def preference_set(*, user: Any, kind: str, in_app: bool, email: bool, push: bool) -> Preference:
    """Choose where one kind of notification reaches the user."""
    if kind not in Kind.values:
        raise ApplicationError("Unknown notification kind.", fields={"kind": ["Unknown kind."]})
    preference, _ = Preference.objects.update_or_create(
        user=user, kind=kind, defaults={"in_app": in_app, "email": email, "push": push}
    )
    return preference


# --- Web push -------------------------------------------------------------------------------------

MAX_PUSH_DEVICES_PER_USER = 10


def push_payload(notification: Notification) -> dict[str, Any]:
    """What a device's service worker receives and shows."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "link": notification.link or "/notifications/",
    }


@transaction.atomic
def push_subscription_save(
    *, user: Any, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    """Store one device's subscription; the same endpoint again updates it (also when another
    user now signs in on that browser: the device follows whoever subscribed last)."""
    if not webpush_client.is_configured():
        raise PushNotConfiguredError("Push notifications are not configured on this server.")
    errors: dict[str, list[str]] = {}
    if not (settings.DEBUG or settings.IS_TEST) and not webpush_client.is_known_push_service(
        endpoint
    ):
        errors["endpoint"] = ["Not the https address of a browser's push service."]
    if len(endpoint) > 1000 or not endpoint:
        errors["endpoint"] = ["A push endpoint must be a URL of at most 1000 characters."]
    if not webpush_client.is_public_key(p256dh):
        errors["p256dh"] = ["Not a P-256 public key (base64url, uncompressed point)."]
    if not webpush_client.is_auth_secret(auth):
        errors["auth"] = ["Not a 16-byte auth secret (base64url)."]
    if errors:
        raise InvalidSubscriptionError("This push subscription is invalid.", fields=errors)
    subscription, _ = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300]},
    )
    # Each notification is one request per device: a user keeps their newest devices only.
    stale = PushSubscription.objects.filter(user=user).order_by("-created_at", "-id")[
        MAX_PUSH_DEVICES_PER_USER:
    ]
    PushSubscription.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).delete()
    return subscription


@transaction.atomic
def push_subscription_delete(*, user: Any, endpoint: str) -> bool:
    """Forget one of the user's devices; returns whether there was one."""
    deleted, _ = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return bool(deleted)


def push_deliver(*, user_id: int, payload: dict[str, Any]) -> dict[str, int]:
    """Send a payload to every device of the user, pruning the ones the push service says are
    gone (404/410). Raises PushTransientError when no device could be reached for a transient
    reason so the job retries; once a device has it, a retry would repeat it there, so none."""
    sent = pruned = 0
    transient: list[Exception] = []
    for subscription in PushSubscription.objects.filter(user_id=user_id).order_by("id"):
        device = webpush_client.Device(
            endpoint=subscription.endpoint, p256dh=subscription.p256dh, auth=subscription.auth
        )
        try:
            webpush_client.send(device=device, payload=payload)
        except webpush_client.PushGoneError:
            PushSubscription.objects.filter(pk=subscription.pk).delete()
            pruned += 1
        except webpush_client.PushTransientError as error:
            logger.warning("push to subscription %s failed: %s", subscription.pk, error)
            transient.append(error)
        else:
            PushSubscription.objects.filter(pk=subscription.pk).update(
                last_success_at=timezone.now()
            )
            sent += 1
    if transient and not sent:
        raise webpush_client.PushTransientError(str(transient[0]))
    return {"sent": sent, "pruned": pruned, "failed": len(transient)}


# --- Course broadcasts ----------------------------------------------------------------------------


@transaction.atomic
def course_announcement_send(
    *, course: Course, author: Any, title: str, body: str = "", key: str = ""
) -> int:
    """An instructor's announcement to every learner of a course, once per learner and `key`
    (a retried request with the same key announces nothing twice). The fan-out runs as a job
    after commit (a course may have thousands of learners); returns how many it will reach."""
    if author.role != Role.ADMIN and not course.is_taught_by(author):
        raise PermissionDeniedError("Only the course's instructors can announce to it.")
    title = title.strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["An announcement needs a title."]
    elif len(title) > 200:
        errors["title"] = ["At most 200 characters."]
    if len(body) > 500:
        errors["body"] = ["At most 500 characters."]
    if len(key) > 64:
        errors["key"] = ["At most 64 characters."]
    if errors:
        raise ApplicationError("This announcement is invalid.", fields=errors)
    from notifications import tasks  # tasks import this module

    transaction.on_commit(
        functools.partial(
            tasks.course_announcement_deliver.delay,
            course.pk,
            title,
            body,
            f"announcement:{course.pk}:{key or uuid.uuid4().hex}",
        )
    )
    return Enrollment.objects.filter(course=course, learner__is_active=True).count()


@transaction.atomic
def course_announcement_deliver(*, course_id: int, title: str, body: str, dedupe_key: str) -> int:
    """Give every active learner of the course their copy (and email/push as they chose), then
    one message to the course's group: open sockets pass on their own user's copy. Running it
    again creates nothing new. Returns how many copies were created now."""
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        return 0
    link = reverse("courses:detail", args=[course.slug])
    learners = (
        Enrollment.objects.filter(course=course, learner__is_active=True)
        .select_related("learner")
        .order_by("id")
    )
    created = 0
    for enrollment in learners.iterator(chunk_size=500):
        existed = Notification.objects.filter(
            recipient=enrollment.learner, dedupe_key=dedupe_key
        ).exists()
        notification = notify(
            recipient=enrollment.learner,
            kind=Kind.ANNOUNCEMENT,
            title=title,
            body=body,
            link=link,
            dedupe_key=dedupe_key,
            live=False,
        )
        created += notification is not None and not existed
    transaction.on_commit(
        functools.partial(
            group_send,
            group=course_group(course.pk),
            message={"type": "notification.course", "dedupe_key": dedupe_key},
        )
    )
    return created


def course_copy_for_socket(*, user_id: int, dedupe_key: str) -> dict[str, Any] | None:
    """A course broadcast seen by one socket: that user's own copy and unread count, or None
    when they have none (enrolled after it) or turned in-app notifications off for the kind."""
    notification = (
        Notification.objects.filter(recipient_id=user_id, dedupe_key=dedupe_key)
        .exclude(kind__in=Preference.objects.filter(user_id=user_id, in_app=False).values("kind"))
        .first()
    )
    if notification is None:
        return None
    return {
        "type": "notification",
        "notification": payload(notification),
        "unread": unread_count(user_id=user_id),
    }
