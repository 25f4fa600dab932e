from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from pytest_django.asserts import assertContains, assertRedirects

from notifications import services
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client, student):
    client.force_login(student)
    return client


def test_inbox_needs_sign_in(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_inbox_lists_own_notifications_within_budget(
    browser, student, other_student, django_assert_max_num_queries
):
    for index in range(5):
        services.notification_create(
            recipient=student, kind=Kind.XP_AWARDED, title=f"Mine {index}", link="/x/"
        )
    services.notification_create(recipient=other_student, kind=Kind.XP_AWARDED, title="Theirs")
    with django_assert_max_num_queries(8):
        response = browser.get("/notifications/")
    assert response.status_code == 200
    assertContains(response, "5 unread")
    assertContains(response, "Mine 4")
    assert b"Theirs" not in response.content
    assertContains(response, 'id="notification-bell"')


def test_open_marks_read_and_follows_the_link(browser, student):
    notification = services.notification_create(
        recipient=student, kind=Kind.XP_AWARDED, title="Go", link="/somewhere/"
    )
    response = browser.post(f"/notifications/{notification.pk}/read", {"open": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/somewhere/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_reading_someone_elses_notification_shows_an_error(browser, other_student):
    theirs = services.notification_create(recipient=other_student, kind=Kind.XP_AWARDED, title="t")
    response = browser.post(f"/notifications/{theirs.pk}/read", follow=True)
    assertContains(response, "No such notification.")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(browser, student):
    for _ in range(2):
        services.notification_create(recipient=student, kind=Kind.XP_AWARDED, title="t")
    response = browser.post("/notifications/read-all", follow=True)
    assertContains(response, "Marked 2 notifications read.")
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_preferences_form_saves_every_kind(browser, student):
    response = browser.get("/notifications/preferences/")
    assertContains(response, 'id="billing:email"')
    response = browser.post(
        "/notifications/preferences/", {"billing:email": "on", "billing:in_app": "on"}
    )
    assertRedirects(response, "/notifications/preferences/")
    from notifications.selectors import preference_map_for_user

    prefs = preference_map_for_user(user=student)
    assert prefs["billing"] == {"in_app": True, "email": True, "push": False}
    assert prefs["xp_awarded"] == {"in_app": False, "email": False, "push": False}


def test_manifest_is_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/?source=pwa"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert icon["src"].startswith(settings.STATIC_URL)
        assert finders.find(icon["src"].removeprefix(settings.STATIC_URL))


def test_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    assert b'"/offline/"' in response.content


def test_offline_page_has_no_personal_data(browser, student):
    response = browser.get("/offline/")
    assertContains(response, "You are offline")
    assert student.email.encode() not in response.content
