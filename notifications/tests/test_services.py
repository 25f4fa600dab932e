"""Notifications: once per fact, the recipient's channels, from the other apps' events."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from notifications import services
from notifications.models import Kind, Notification
from qa import services as qa_services
from qa.tests.factories import make_question

pytestmark = pytest.mark.django_db


def _notify(user: User, key: str = "fact-1", **kwargs: Any) -> Notification | None:
    return services.notify(
        recipient=user, kind=Kind.ANSWER_POSTED, title="Hello", dedupe_key=key, **kwargs
    )


def test_the_same_fact_notifies_once(student: User) -> None:
    first = _notify(student)
    again = _notify(student)
    assert first is not None
    assert again is not None
    assert first.pk == again.pk
    assert Notification.objects.filter(recipient=student).count() == 1


def test_a_user_who_turned_a_kind_off_gets_nothing(student: User) -> None:
    services.preference_set(
        user=student, kind=Kind.ANSWER_POSTED, in_app=False, email=False, push=False
    )
    assert _notify(student) is None
    assert not Notification.objects.exists()


def test_email_goes_out_after_commit_when_chosen(
    student: User, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    services.preference_set(
        user=student, kind=Kind.ANSWER_POSTED, in_app=True, email=True, push=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        _notify(student, body="An answer", link="/questions/1/")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Hello"
    assert mailoutbox[0].to == [student.email]


def test_a_new_answer_notifies_the_asker_but_not_a_self_answer(
    student: User, other_student: User, django_capture_on_commit_callbacks: Any
) -> None:
    question = make_question(asker=student, title="How do I undo a commit?")
    with django_capture_on_commit_callbacks(execute=True):
        answer = qa_services.answer_create(
            author=other_student, question=question, body="Use git revert on the commit."
        )
        qa_services.answer_create(author=student, question=question, body="Found it myself, thanks")
    notification = Notification.objects.get()
    assert notification.recipient == student
    assert notification.kind == Kind.ANSWER_POSTED
    assert "How do I undo a commit?" in notification.title
    assert notification.link.endswith(f"#answer-{answer.pk}")


def test_marking_read_one_and_all(student: User, other_student: User) -> None:
    first = _notify(student, "a")
    _notify(student, "b")
    assert first is not None
    services.notification_mark_read(user=student, notification_id=first.pk)
    assert services.unread_count(user_id=student.pk) == 1
    with pytest.raises(services.NotificationNotFoundError):
        services.notification_mark_read(user=other_student, notification_id=first.pk)
    assert services.notification_mark_all_read(user=student) == 1
    assert services.unread_count(user_id=student.pk) == 0


def test_the_inbox_page_and_its_query_budget(
    student: User, django_assert_max_num_queries: Any
) -> None:
    client = Client()
    client.force_login(student)
    for count in (2, 25):
        for index in range(count):
            _notify(student, f"{count}-{index}")
        with django_assert_max_num_queries(8):
            page = client.get("/notifications/").content.decode()
    assert (
        page.count('class="card notification notification--unread"') == 27
        or page.count("notification--unread") >= 27
    )
    assert 'aria-label="Notifications, 27 unread"' in page


def test_the_api_lists_and_marks_read(student: User, other_student: User) -> None:
    mine = _notify(student, "x")
    _notify(other_student, "y")
    api = APIClient()
    api.force_authenticate(student)
    listed = api.get("/api/v1/notifications").json()
    assert [row["id"] for row in listed["results"]] == [mine.pk]
    assert api.post(f"/api/v1/notifications/{mine.pk}/read").json()["is_read"] is True
    assert api.get("/api/v1/notifications?unread=true").json()["count"] == 0
    others = Notification.objects.get(recipient=other_student)
    assert api.post(f"/api/v1/notifications/{others.pk}/read").status_code == 404
    assert APIClient().get("/api/v1/notifications").status_code == 401
