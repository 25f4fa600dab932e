"""The PWA's manifest, service worker and offline page, and the notification settings page."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from courses.tests.factories import CourseFactory, EnrollmentFactory
from notifications.models import Kind, Notification, Preference

pytestmark = pytest.mark.django_db


def test_the_manifest_names_the_app_its_icons_colours_and_start_url(client: Client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Lumen"
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#4338ca"
    assert {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]} == {
        ("192x192", "any"),
        ("512x512", "any"),
        ("512x512", "maskable"),
    }
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path is not None
        width, height = Image.open(path).size
        assert f"{width}x{height}" == icon["sizes"]


def test_the_service_worker_is_served_from_the_root_uncached(client: Client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert '"/offline/"' in body
    assert "/static/css/lumen.css" in body


def test_pages_link_the_manifest_and_the_worker_registration(client: Client):
    html = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert "/static/js/pwa.js" in html


def test_the_offline_page_needs_no_sign_in_and_shows_nothing_personal(client: Client, student):
    client.force_login(student)
    response = client.get("/offline/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are offline" in html
    assert student.email not in html
    assert "csrfmiddlewaretoken" not in html


def test_the_settings_page_saves_every_channel_per_kind(client: Client, student, vapid):
    client.force_login(student)
    page = client.get("/notifications/preferences/")
    assert page.status_code == 200
    assert f'data-public-key="{vapid[0]}"' in page.content.decode()
    response = client.post(
        "/notifications/preferences/", {"level_up:in_app": "on", "achievement:email": "on"}
    )
    assert response.status_code == 302
    level_up = Preference.objects.get(user=student, kind=Kind.LEVEL_UP)
    assert (level_up.in_app, level_up.email, level_up.push) == (True, False, False)
    achievement = Preference.objects.get(user=student, kind=Kind.ACHIEVEMENT)
    assert (achievement.in_app, achievement.email, achievement.push) == (False, True, False)
    assert Preference.objects.filter(user=student).count() == len(Kind.values)


def test_the_settings_page_says_when_push_is_not_configured(client: Client, student, settings):
    settings.VAPID_PUBLIC_KEY = ""
    client.force_login(student)
    html = client.get("/notifications/preferences/").content.decode()
    assert "Push notifications are not configured on this server." in html
    assert 'id="push-enable"' not in html
    assert client.get("/notifications/preferences/", follow=False).status_code == 200
    client.logout()
    assert client.get("/notifications/preferences/").status_code == 302


def test_an_instructor_announces_from_a_page_once_per_submitted_form(
    client: Client, instructor, student, other_student, django_capture_on_commit_callbacks
):
    course = CourseFactory(instructors=[instructor], title="Pandas")
    someone_elses = CourseFactory(title="Not yours")
    EnrollmentFactory(course=course, learner=student)
    EnrollmentFactory(course=someone_elses, learner=other_student)
    client.force_login(instructor)
    page = client.get("/notifications/announce/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Pandas" in html
    assert "Not yours" not in html
    form = {"course": course.pk, "title": "Exam moved", "body": "Friday", "key": "form-1"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/notifications/announce/", form, follow=True)
    assert "Announcement on its way to 1 learner." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/notifications/announce/", form)  # the same form again
    assert list(Notification.objects.values_list("recipient_id", "title", "body")) == [
        (student.pk, "Exam moved", "Friday")
    ]
    refused = client.post(
        "/notifications/announce/", {**form, "course": someone_elses.pk, "key": "form-2"}
    )
    assert refused.status_code == 422
    assert "Select a valid choice" in refused.content.decode()
    blank = client.post("/notifications/announce/", {**form, "title": "", "key": "form-3"})
    assert blank.status_code == 422
    assert Notification.objects.count() == 1


def test_learners_cannot_open_the_announcement_page(client: Client, student):
    client.force_login(student)
    assert client.get("/notifications/announce/").status_code == 403
    assert client.post("/notifications/announce/", {"title": "x"}).status_code == 403


def test_the_player_offers_to_save_each_module_and_saving_does_not_open_lessons(
    client: Client, student
):
    from courses.models import Enrollment, LessonProgress
    from courses.tests.factories import course_with_outline

    course = course_with_outline(modules=2, lessons_per_module=2)
    EnrollmentFactory(course=course, learner=student)
    first, later = (m.lessons.order_by("order").first() for m in course.modules.order_by("order"))
    client.force_login(student)
    html = client.get(f"/learn/{course.slug}/{first.pk}/").content.decode()
    module_lessons = " ".join(
        f"/learn/{course.slug}/{lesson.pk}/" for lesson in course.modules.get(order=1).lessons.all()
    )
    assert f'data-lessons="{module_lessons} "' in html
    assert 'aria-label="Save this module for offline: Module 2"' in html

    # The service worker reads a lesson to keep it: the resume point stays where it was.
    response = client.get(
        f"/learn/{course.slug}/{later.pk}/", headers={"X-Lumen-Offline-Save": "1"}
    )
    assert response.status_code == 200
    assert Enrollment.objects.get(learner=student).last_lesson_id == first.pk
    assert not LessonProgress.objects.filter(learner=student, lesson=later).exists()
    client.get(f"/learn/{course.slug}/{later.pk}/")
    assert Enrollment.objects.get(learner=student).last_lesson_id == later.pk


def test_visitors_and_previews_get_no_module_save_button(client: Client, student):
    from courses.tests.factories import course_with_outline

    course = course_with_outline(modules=1, lessons_per_module=1)
    lesson = course.modules.get().lessons.get()
    lesson.is_free_preview = True
    lesson.save()
    html = client.get(f"/learn/{course.slug}/{lesson.pk}/").content.decode()
    assert "data-offline-save-module" not in html
