from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from notifications import services
from notifications.models import Kind, Notification, NotificationPreference, PushSubscription

pytestmark = pytest.mark.django_db


def _notify(user, count=1):
    return [
        services.notification_create(recipient=user, kind=Kind.XP_AWARDED, title=f"N{index}")
        for index in range(count)
    ]


ENDPOINTS = [
    ("get", "/api/v1/notifications"),
    ("get", "/api/v1/notifications/unread-count"),
    ("post", "/api/v1/notifications/1/read"),
    ("post", "/api/v1/notifications/read-all"),
    ("get", "/api/v1/notifications/preferences"),
    ("patch", "/api/v1/notifications/preferences"),
    ("get", "/api/v1/notifications/push-subscriptions"),
    ("post", "/api/v1/notifications/push-subscriptions"),
    ("delete", "/api/v1/notifications/push-subscriptions"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_callers_get_401(method, url):
    response = getattr(APIClient(), method)(url)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_list_is_the_callers_own_newest_first_within_budget(
    api, student, other_student, django_assert_max_num_queries
):
    _notify(student, 5)
    _notify(other_student, 2)
    with django_assert_max_num_queries(4):
        response = api.get("/api/v1/notifications")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5
    assert [row["title"] for row in body["results"]] == ["N4", "N3", "N2", "N1", "N0"]
    assert body["results"][0]["is_read"] is False


def test_unread_filter_and_count(api, student):
    first, *_ = _notify(student, 3)
    services.notification_mark_read(user=student, notification_id=first.pk)
    assert api.get("/api/v1/notifications?unread=true").json()["count"] == 2
    assert api.get("/api/v1/notifications/unread-count").json() == {"unread_count": 2}


def test_mark_read_of_someone_elses_notification_is_404(api, other_student):
    (theirs,) = _notify(other_student)
    response = api.post(f"/api/v1/notifications/{theirs.pk}/read")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "notification_not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_and_mark_all(api, student):
    first, *_ = _notify(student, 3)
    response = api.post(f"/api/v1/notifications/{first.pk}/read")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    assert api.post("/api/v1/notifications/read-all").json() == {"marked": 2}
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_preferences_round_trip(api, student):
    assert api.get("/api/v1/notifications/preferences").json()["billing"] == {
        "in_app": True,
        "email": False,
        "push": True,
    }
    response = api.patch(
        "/api/v1/notifications/preferences", {"billing": {"email": True}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["billing"]["email"] is True


@pytest.mark.parametrize(
    "payload",
    [{"sms_spam": {"email": True}}, {"billing": {"email": "maybe"}}, {"billing": "yes"}],
)
def test_invalid_preferences_are_400_and_change_nothing(api, payload):
    response = api.patch("/api/v1/notifications/preferences", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert not NotificationPreference.objects.exists()


def test_push_subscription_lifecycle(api, vapid):
    public, _ = vapid
    assert api.get("/api/v1/notifications/push-subscriptions").json() == {
        "public_key": public,
        "enabled": True,
    }
    subscription = {"endpoint": "https://push.example/abc", "keys": {"p256dh": "k", "auth": "a"}}
    response = api.post("/api/v1/notifications/push-subscriptions", subscription, format="json")
    assert response.status_code == 201
    assert PushSubscription.objects.count() == 1
    response = api.delete(
        "/api/v1/notifications/push-subscriptions",
        {"endpoint": "https://push.example/abc"},
        format="json",
    )
    assert response.status_code == 204
    assert not PushSubscription.objects.exists()
    response = api.delete(
        "/api/v1/notifications/push-subscriptions",
        {"endpoint": "https://push.example/abc"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_subscribed"


def test_malformed_subscription_is_400(api, vapid):
    response = api.post(
        "/api/v1/notifications/push-subscriptions", {"endpoint": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"endpoint", "keys"}


def test_subscribing_without_vapid_keys_is_503(api, settings):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    subscription = {"endpoint": "https://push.example/abc", "keys": {"p256dh": "k", "auth": "a"}}
    response = api.post("/api/v1/notifications/push-subscriptions", subscription, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "push_not_configured"
