"""Web push against a local push service speaking the protocol: it verifies the VAPID JWT's
signature, audience and expiry and decrypts the aes128gcm payload with the device's key."""

from __future__ import annotations

import pytest

from notifications import services, tasks
from notifications.models import Kind, PushSubscription
from notifications.tests.fake_push_service import Subscriber
from notifications.webpush_client import PushTransientError

pytestmark = pytest.mark.django_db


def _subscribe(user, push_service, path=""):  # type: ignore[no-untyped-def]
    endpoint, subscriber = push_service.subscribe(path)
    services.push_subscription_save(
        user=user, endpoint=endpoint, p256dh=subscriber.p256dh, auth=subscriber.auth
    )
    return endpoint


def test_a_notification_reaches_every_device_of_the_user_encrypted_and_signed(
    student, other_student, vapid, push_service, django_capture_on_commit_callbacks
):
    phone = _subscribe(student, push_service)
    laptop = _subscribe(student, push_service)
    _subscribe(other_student, push_service)
    with django_capture_on_commit_callbacks(execute=True):
        notification = services.notify(
            recipient=student,
            kind=Kind.ANSWER_POSTED,
            title="New answer",
            body="Try F()",
            link="/qa/1/",
            dedupe_key="answer:1",
        )
    assert push_service.rejected == []
    assert sorted(message["endpoint"] for message in push_service.received) == sorted(
        [phone, laptop]
    )
    for message in push_service.received:
        assert message["payload"] == {
            "id": notification.pk,
            "kind": "answer_posted",
            "title": "New answer",
            "body": "Try F()",
            "link": "/qa/1/",
        }
        assert message["ttl"] == 86400
    assert PushSubscription.objects.filter(last_success_at__isnull=False).count() == 2


def test_the_same_fact_twice_pushes_once(
    student, vapid, push_service, django_capture_on_commit_callbacks
):
    _subscribe(student, push_service)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            services.notify(
                recipient=student, kind=Kind.LEVEL_UP, title="Level 2", dedupe_key="level:2"
            )
    assert len(push_service.received) == 1


def test_expired_subscriptions_are_pruned_and_live_ones_kept(student, vapid, push_service):
    live = _subscribe(student, push_service)
    _subscribe(student, push_service, path="gone")  # answers 410
    missing, subscriber = push_service.subscribe()
    push_service.subscribers.pop(missing)  # the service no longer knows it: 404
    services.push_subscription_save(
        user=student, endpoint=missing, p256dh=subscriber.p256dh, auth=subscriber.auth
    )
    notification = services.notify(
        recipient=student, kind=Kind.LEVEL_UP, title="Level 3", dedupe_key="level:3"
    )
    assert tasks.notification_push(notification.pk) == {"sent": 1, "pruned": 2, "failed": 0}
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [live]


def test_an_unreachable_push_service_makes_the_job_retry(student, vapid, push_service):
    _subscribe(student, push_service, path="busy")  # answers 503
    with pytest.raises(PushTransientError):
        services.push_deliver(user_id=student.pk, payload={"title": "Hi"})
    assert PushSubscription.objects.count() == 1


def test_push_turned_off_for_a_kind_sends_nothing_for_it(
    student, vapid, push_service, django_capture_on_commit_callbacks
):
    _subscribe(student, push_service)
    services.preference_set(user=student, kind=Kind.LEVEL_UP, in_app=True, email=False, push=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipient=student, kind=Kind.LEVEL_UP, title="Level 4", dedupe_key="l4")
        services.notify(recipient=student, kind=Kind.ACHIEVEMENT, title="Badge", dedupe_key="a1")
    assert [message["payload"]["title"] for message in push_service.received] == ["Badge"]


def test_without_vapid_keys_nothing_is_pushed_and_devices_cannot_subscribe(
    student, settings, push_service, django_capture_on_commit_callbacks
):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    endpoint, subscriber = push_service.subscribe()
    with pytest.raises(services.PushNotConfiguredError):
        services.push_subscription_save(
            user=student, endpoint=endpoint, p256dh=subscriber.p256dh, auth=subscriber.auth
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipient=student, kind=Kind.LEVEL_UP, title="L5", dedupe_key="l5")
    assert not PushSubscription.objects.exists()
    assert push_service.received == []


def test_a_device_follows_the_user_who_subscribed_last(student, other_student, vapid, push_service):
    endpoint, subscriber = push_service.subscribe()
    for user in (student, other_student):
        services.push_subscription_save(
            user=user, endpoint=endpoint, p256dh=subscriber.p256dh, auth=subscriber.auth
        )
    assert list(PushSubscription.objects.values_list("user", flat=True)) == [other_student.pk]


def test_malformed_keys_are_refused_with_the_field_named(student, vapid):
    with pytest.raises(services.InvalidSubscriptionError) as error:
        services.push_subscription_save(
            user=student, endpoint="https://push.example/x", p256dh="short", auth="a"
        )
    assert set(error.value.fields) == {"p256dh", "auth"}
    assert not PushSubscription.objects.exists()


def test_outside_development_only_the_browsers_push_services_are_accepted(student, vapid, settings):
    settings.DEBUG = settings.IS_TEST = False
    key, auth = Subscriber().p256dh, Subscriber().auth
    for endpoint in (
        "http://fcm.googleapis.com/fcm/send/abc",
        "https://169.254.169.254/latest/meta-data",
        "https://fcm.googleapis.com.evil.example/x",
        "https://internal.example/push",
    ):
        with pytest.raises(services.InvalidSubscriptionError) as error:
            services.push_subscription_save(user=student, endpoint=endpoint, p256dh=key, auth=auth)
        assert list(error.value.fields) == ["endpoint"]
    for endpoint in (
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/abc",
        "https://web.push.apple.com/abc",
    ):
        services.push_subscription_save(user=student, endpoint=endpoint, p256dh=key, auth=auth)
    assert PushSubscription.objects.count() == 3


def test_a_user_keeps_their_newest_devices_only(student, vapid, push_service):
    endpoints = [_subscribe(student, push_service) for _ in range(12)]
    kept = set(PushSubscription.objects.values_list("endpoint", flat=True))
    assert kept == set(endpoints[-10:])


def test_the_vapid_keys_command_prints_a_pair_that_signs_what_the_push_service_accepts(
    student, settings, push_service
):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("vapid_keys", stdout=out)
    values = dict(line.split("=", 1) for line in out.getvalue().split())
    settings.VAPID_PUBLIC_KEY = values["VAPID_PUBLIC_KEY"]
    settings.VAPID_PRIVATE_KEY = values["VAPID_PRIVATE_KEY"]
    _subscribe(student, push_service)
    assert services.push_deliver(user_id=student.pk, payload={"title": "Hi"})["sent"] == 1
    assert push_service.rejected == []
