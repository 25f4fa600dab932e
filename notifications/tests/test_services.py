from __future__ import annotations

import pytest
from django.core import mail

from core.exceptions import ApplicationError, PermissionDeniedError
from courses.tests.factories import CourseFactory, EnrollmentFactory
from notifications import selectors, services
from notifications.exceptions import NotificationNotFoundError
from notifications.models import Kind, Notification, NotificationPreference

pytestmark = pytest.mark.django_db


def test_create_stores_an_unread_notification(student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = services.notification_create(
            recipient=student, kind=Kind.QUIZ_PASSED, title="You passed", link="/x/"
        )
    assert notification is not None
    assert (notification.title, notification.link, notification.read_at) == (
        "You passed",
        "/x/",
        None,
    )
    assert selectors.notification_unread_count(user=student) == 1


def test_same_dedupe_key_notifies_once(student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = services.notification_create(
            recipient=student, kind=Kind.QUIZ_PASSED, title="A", dedupe_key="k1"
        )
        second = services.notification_create(
            recipient=student, kind=Kind.QUIZ_PASSED, title="A again", dedupe_key="k1"
        )
    assert first == second
    assert Notification.objects.filter(recipient=student).count() == 1
    assert len(callbacks) == 1  # one live delivery


def test_in_app_off_creates_nothing(student):
    services.preferences_update(user=student, changes={Kind.XP_AWARDED: {"in_app": False}})
    result = services.notification_create(recipient=student, kind=Kind.XP_AWARDED, title="XP")
    assert result is None
    assert not Notification.objects.exists()


def test_email_channel_sends_mail(student, django_capture_on_commit_callbacks):
    services.preferences_update(user=student, changes={Kind.BILLING: {"email": True}})
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_create(
            recipient=student,
            kind=Kind.BILLING,
            title="Payment received",
            body="Thanks",
            link="/b/",
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Payment received"
    assert mail.outbox[0].to == [student.email]
    assert "Thanks" in mail.outbox[0].body
    assert "http://localhost:8000/b/" in mail.outbox[0].body


def test_email_is_off_by_default(student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_create(recipient=student, kind=Kind.BILLING, title="Paid")
    assert mail.outbox == []


def test_unknown_kind_is_refused(student):
    with pytest.raises(ValueError, match="Unknown notification kind"):
        services.notification_create(recipient=student, kind="nope", title="x")


def test_mark_read_only_for_the_recipient(student, other_student):
    notification = services.notification_create(recipient=student, kind=Kind.XP_AWARDED, title="x")
    with pytest.raises(NotificationNotFoundError):
        services.notification_mark_read(user=other_student, notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.read_at is None
    marked = services.notification_mark_read(user=student, notification_id=notification.pk)
    assert marked.read_at is not None
    first_read_at = marked.read_at
    again = services.notification_mark_read(user=student, notification_id=notification.pk)
    assert again.read_at == first_read_at


def test_mark_all_read_counts_only_unread(student, other_student):
    for index in range(3):
        services.notification_create(recipient=student, kind=Kind.XP_AWARDED, title=f"{index}")
    services.notification_create(recipient=other_student, kind=Kind.XP_AWARDED, title="theirs")
    services.notification_mark_read(
        user=student, notification_id=Notification.objects.filter(recipient=student).first().pk
    )
    assert services.notification_mark_all_read(user=student) == 2
    assert services.notification_mark_all_read(user=student) == 0
    assert selectors.notification_unread_count(user=other_student) == 1


def test_preferences_default_and_update(student):
    prefs = selectors.preference_map_for_user(user=student)
    assert prefs[Kind.ANSWER_POSTED] == {"in_app": True, "email": False, "push": True}
    updated = services.preferences_update(
        user=student, changes={Kind.ANSWER_POSTED: {"email": True, "push": False}}
    )
    assert updated[Kind.ANSWER_POSTED] == {"in_app": True, "email": True, "push": False}
    assert NotificationPreference.objects.filter(user=student).count() == 1


def test_invalid_preferences_change_nothing(student):
    with pytest.raises(ApplicationError) as error:
        services.preferences_update(
            user=student, changes={"bogus": {"email": True}, Kind.BILLING: {"sms": True}}
        )
    assert set(error.value.fields) == {"bogus", Kind.BILLING}
    assert not NotificationPreference.objects.exists()


def test_course_announcement_reaches_each_learner_once(instructor, student, other_student):
    course = CourseFactory(instructors=[instructor])
    EnrollmentFactory(course=course, learner=student)
    EnrollmentFactory(course=course, learner=other_student)
    created = services.course_announcement_send(
        course=course, author=instructor, title="Live session at 5", key="a1"
    )
    again = services.course_announcement_send(
        course=course, author=instructor, title="Live session at 5", key="a1"
    )
    assert len(created) == 2
    assert {n.pk for n in again} == {n.pk for n in created}
    assert Notification.objects.filter(kind=Kind.ANNOUNCEMENT).count() == 2


def test_only_instructors_announce(student):
    course = CourseFactory()
    EnrollmentFactory(course=course, learner=student)
    with pytest.raises(PermissionDeniedError):
        services.course_announcement_send(course=course, author=student, title="Hi")
    assert not Notification.objects.exists()
