"""Web push against a local push service that speaks the protocol (VAPID, aes128gcm)."""

from __future__ import annotations

import pytest

from notifications import services, tasks
from notifications.exceptions import PushNotConfiguredError
from notifications.models import Kind, PushSubscription
from notifications.webpush_client import PushTransientError

pytestmark = pytest.mark.django_db


def _subscribe(user, push_service, path=""):
    endpoint, subscriber = push_service.subscribe(path)
    services.push_subscription_save(
        user=user, endpoint=endpoint, p256dh=subscriber.p256dh, auth=subscriber.auth
    )
    return endpoint


def test_a_notification_reaches_every_device_encrypted(
    student, vapid, push_service, django_capture_on_commit_callbacks
):
    phone = _subscribe(student, push_service)
    laptop = _subscribe(student, push_service)
    with django_capture_on_commit_callbacks(execute=True):
        notification = services.notification_create(
            recipient=student, kind=Kind.ANSWER_POSTED, title="New answer", body="Try F()"
        )
    assert push_service.rejected == []
    assert {message["endpoint"] for message in push_service.received} == {phone, laptop}
    for message in push_service.received:
        assert message["payload"] == {
            "title": "New answer",
            "body": "Try F()",
            "link": "/notifications/",
            "kind": "answer_posted",
            "id": notification.pk,
        }
        assert message["ttl"] == 86400
    assert PushSubscription.objects.filter(last_success_at__isnull=False).count() == 2


def test_expired_subscriptions_are_pruned(student, vapid, push_service):
    live = _subscribe(student, push_service)
    _subscribe(student, push_service, path="gone")
    result = tasks.push_deliver(user_id=student.pk, payload={"title": "Hi"})
    assert result == {"sent": 1, "pruned": 1, "failed": 0}
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [live]


def test_an_unreachable_service_is_retried(student, vapid, push_service):
    _subscribe(student, push_service, path="busy")
    with pytest.raises(PushTransientError):
        services.push_deliver(user_id=student.pk, payload={"title": "Hi"})
    assert PushSubscription.objects.count() == 1


def test_push_preference_off_sends_nothing(
    student, vapid, push_service, django_capture_on_commit_callbacks
):
    _subscribe(student, push_service)
    services.preferences_update(user=student, changes={Kind.XP_AWARDED: {"push": False}})
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_create(recipient=student, kind=Kind.XP_AWARDED, title="XP")
    assert push_service.received == []


def test_subscribing_needs_configured_keys(student, settings):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    with pytest.raises(PushNotConfiguredError):
        services.push_subscription_save(
            user=student, endpoint="https://push.example/x", p256dh="k", auth="a"
        )
    assert not PushSubscription.objects.exists()


def test_a_device_moves_to_the_user_who_subscribed_last(student, other_student, vapid):
    for user in (student, other_student):
        services.push_subscription_save(
            user=user, endpoint="https://push.example/device", p256dh="k", auth="a"
        )
    assert list(PushSubscription.objects.values_list("user", flat=True)) == [other_student.pk]
