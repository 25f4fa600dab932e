"""The API for preferences, push devices and course announcements: roles, errors, budgets."""

from __future__ import annotations

import pytest

from courses.tests.factories import CourseFactory, EnrollmentFactory, InstructorFactory
from notifications.models import Kind, Notification, Preference, PushSubscription

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/api/v1/notifications/push/subscriptions"
UNSUBSCRIBE = "/api/v1/notifications/push/subscriptions/delete"


def _subscription_json(push_service):  # type: ignore[no-untyped-def]
    endpoint, subscriber = push_service.subscribe()
    return {"endpoint": endpoint, "keys": {"p256dh": subscriber.p256dh, "auth": subscriber.auth}}


def test_preferences_list_every_kind_with_defaults_in_a_fixed_number_of_queries(
    api, student, django_assert_max_num_queries
):
    api.force_authenticate(student)
    Preference.objects.create(user=student, kind=Kind.LEVEL_UP, in_app=False, push=False)
    Preference.objects.create(user=student, kind=Kind.ACHIEVEMENT, email=True)
    with django_assert_max_num_queries(3):
        response = api.get("/api/v1/notifications/preferences")
    assert response.status_code == 200
    rows = {row["kind"]: row for row in response.json()}
    assert list(rows) == Kind.values
    assert rows["level_up"] == {
        "kind": "level_up",
        "label": "Level up",
        "in_app": False,
        "email": False,
        "push": False,
    }
    assert rows["achievement"]["email"] is True
    assert rows["answer_posted"] == {
        "kind": "answer_posted",
        "label": "New answer to your question",
        "in_app": True,
        "email": False,
        "push": True,
    }


def test_a_preference_is_set_per_kind_and_an_unknown_kind_is_404(api, student):
    api.force_authenticate(student)
    body = {"in_app": True, "email": True, "push": False}
    response = api.put("/api/v1/notifications/preferences/level_up", body, format="json")
    assert response.status_code == 200
    assert response.json()["push"] is False
    preference = Preference.objects.get(user=student, kind="level_up")
    assert (preference.in_app, preference.email, preference.push) == (True, True, False)
    missing = api.put("/api/v1/notifications/preferences/nope", body, format="json")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    bad = api.put("/api/v1/notifications/preferences/level_up", {"in_app": "x"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"in_app", "email", "push"}


def test_a_device_subscribes_and_unsubscribes_through_the_api(api, student, vapid, push_service):
    api.force_authenticate(student)
    key = api.get("/api/v1/notifications/push/key").json()
    assert key == {"public_key": vapid[0], "enabled": True}
    body = _subscription_json(push_service)
    response = api.post(SUBSCRIBE, body, format="json", HTTP_USER_AGENT="Firefox on a phone")
    assert response.status_code == 201
    subscription = PushSubscription.objects.get()
    assert (subscription.user, subscription.endpoint, subscription.user_agent) == (
        student,
        body["endpoint"],
        "Firefox on a phone",
    )
    assert api.post(SUBSCRIBE, body, format="json").status_code == 201  # again: updated
    assert PushSubscription.objects.count() == 1
    gone = api.post(UNSUBSCRIBE, {"endpoint": body["endpoint"]}, format="json")
    assert gone.json() == {"deleted": True}
    assert not PushSubscription.objects.exists()
    assert api.post(UNSUBSCRIBE, {"endpoint": body["endpoint"]}, format="json").json() == {
        "deleted": False
    }


def test_bad_subscriptions_get_a_clear_400_and_no_keys_a_503(
    api, student, vapid, push_service, settings
):
    api.force_authenticate(student)
    missing_keys = api.post(SUBSCRIBE, {"endpoint": "https://push.example/a"}, format="json")
    assert missing_keys.status_code == 400
    assert "keys" in missing_keys.json()["error"]["fields"]
    bad_key = _subscription_json(push_service)
    bad_key["keys"]["p256dh"] = "bm90IGEga2V5"
    response = api.post(SUBSCRIBE, bad_key, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_subscription"
    assert list(response.json()["error"]["fields"]) == ["p256dh"]
    settings.VAPID_PRIVATE_KEY = ""
    off = api.post(SUBSCRIBE, _subscription_json(push_service), format="json")
    assert off.status_code == 503
    assert off.json()["error"]["code"] == "push_not_configured"
    assert not PushSubscription.objects.exists()


def test_one_user_cannot_unsubscribe_another_users_device(
    api, student, other_student, vapid, push_service
):
    api.force_authenticate(student)
    body = _subscription_json(push_service)
    api.post(SUBSCRIBE, body, format="json")
    api.force_authenticate(other_student)
    response = api.post(UNSUBSCRIBE, {"endpoint": body["endpoint"]}, format="json")
    assert response.json() == {"deleted": False}
    assert PushSubscription.objects.filter(user=student).count() == 1


def test_anonymous_callers_get_401(api):
    for url in (SUBSCRIBE, UNSUBSCRIBE, "/api/v1/courses/1/announcements"):
        assert api.post(url, {}, format="json").status_code == 401
    assert api.get("/api/v1/notifications/preferences").status_code == 401


def test_an_instructor_announces_to_every_learner_of_their_course_once_per_key(
    api, instructor, student, other_student, django_capture_on_commit_callbacks
):
    course = CourseFactory(instructors=[instructor])
    EnrollmentFactory(course=course, learner=student)
    EnrollmentFactory(course=course, learner=other_student)
    outsider = EnrollmentFactory().learner  # enrolled elsewhere
    api.force_authenticate(instructor)
    body = {"title": "Exam moved to Friday", "body": "Room 4", "key": "exam-move"}
    url = f"/api/v1/courses/{course.pk}/announcements"
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url, body, format="json")
    assert response.status_code == 202
    assert response.json() == {"recipients": 2}
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(url, body, format="json").status_code == 202  # a retry
    notifications = Notification.objects.filter(kind=Kind.ANNOUNCEMENT)
    assert sorted(notifications.values_list("recipient_id", flat=True)) == sorted(
        [student.pk, other_student.pk]
    )
    assert {(n.title, n.body, n.link) for n in notifications} == {
        ("Exam moved to Friday", "Room 4", f"/courses/{course.slug}/")
    }
    assert not Notification.objects.filter(recipient=outsider).exists()


def test_only_the_course_instructors_may_announce(api, instructor, student):
    course = CourseFactory(instructors=[instructor])
    EnrollmentFactory(course=course, learner=student)
    url = f"/api/v1/courses/{course.pk}/announcements"
    for user in (student, InstructorFactory()):
        api.force_authenticate(user)
        response = api.post(url, {"title": "Hi"}, format="json")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"
    assert not Notification.objects.exists()
    api.force_authenticate(instructor)
    blank = api.post(url, {"title": "   "}, format="json")
    assert blank.status_code == 400
    assert "title" in blank.json()["error"]["fields"]
    assert api.post("/api/v1/courses/999999/announcements", {"title": "x"}).status_code == 404
    assert not Notification.objects.exists()


def test_the_announcement_job_skips_inactive_learners_and_creates_nothing_when_rerun(
    instructor, student, other_student
):
    from accounts import services as account_services
    from notifications import tasks

    course = CourseFactory(instructors=[instructor])
    for learner in (student, other_student):
        EnrollmentFactory(course=course, learner=learner)
    account_services.user_deactivate(user=other_student)
    args = (course.pk, "Welcome", "", "announcement:welcome")
    assert tasks.course_announcement_deliver(*args) == 1
    assert tasks.course_announcement_deliver(*args) == 0
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [student.pk]
    assert tasks.course_announcement_deliver(999999, "Gone", "", "announcement:x") == 0
