"""Web push devices: store one subscription per browser, deliver to every device of a user and
prune the ones their push service says are gone."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from notifications import webpush_client
from notifications.models import Notification, PushSubscription

logger = logging.getLogger(__name__)


class InvalidSubscriptionError(ApplicationError):
    default_code = "invalid_subscription"


class PushNotConfiguredError(ApplicationError):
    status_code = 503
    default_code = "push_not_configured"


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
