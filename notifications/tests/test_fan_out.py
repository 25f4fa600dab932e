"""Broadcasts to a whole course scale: the job writes copies a chunk of learners at a time, and
the live part reaches every socket without a database query per socket."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from courses.tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    InstructorFactory,
    StudentFactory,
)
from notifications import services, tasks
from notifications.consumers import NotificationConsumer
from notifications.models import Kind, Notification, PushSubscription
from notifications.services import broadcasts


def _course_with_learners(count: int) -> Any:
    course = CourseFactory(instructors=[InstructorFactory()])
    for _ in range(count):
        EnrollmentFactory(course=course, learner=StudentFactory())
    return course


def _deliver_queries(course: Any, key: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        services.course_announcement_deliver(
            course_id=course.pk, title="Exam moved", body="Room 4", dedupe_key=key
        )
    return len(captured)


@pytest.mark.django_db
def test_an_announcement_job_runs_the_same_queries_for_3_or_40_learners() -> None:
    small, large = _course_with_learners(3), _course_with_learners(40)

    assert _deliver_queries(small, "a") == _deliver_queries(large, "b")
    assert Notification.objects.filter(dedupe_key="b").count() == 40


@pytest.mark.django_db
def test_a_course_larger_than_a_chunk_gets_every_copy_once(monkeypatch) -> None:
    monkeypatch.setattr(broadcasts, "FAN_OUT_CHUNK", 4)
    course = _course_with_learners(10)

    first = services.course_announcement_deliver(
        course_id=course.pk, title="Exam", body="", dedupe_key="k"
    )
    again = services.course_announcement_deliver(
        course_id=course.pk, title="Exam", body="", dedupe_key="k"
    )

    assert (first, again) == (10, 0)
    copies = Notification.objects.filter(dedupe_key="k")
    assert copies.count() == 10
    assert copies.values("recipient").distinct().count() == 10


@pytest.mark.django_db
def test_copies_go_by_email_and_push_as_each_learner_chose_and_only_once(
    vapid, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    course = CourseFactory(instructors=[InstructorFactory()])
    by_mail, with_device, plain, silent = (StudentFactory() for _ in range(4))
    for learner in (by_mail, with_device, plain, silent):
        EnrollmentFactory(course=course, learner=learner)
    services.preference_set(
        user=by_mail, kind=Kind.ANNOUNCEMENT, in_app=True, email=True, push=False
    )
    services.preference_set(
        user=silent, kind=Kind.ANNOUNCEMENT, in_app=False, email=False, push=False
    )
    PushSubscription.objects.create(
        user=with_device, endpoint="https://push.test/device-1", p256dh="k", auth="a"
    )
    pushed: list[int] = []
    monkeypatch.setattr(tasks.notification_push, "delay", pushed.append)

    for _ in range(2):  # a retried job sends nothing twice
        with django_capture_on_commit_callbacks(execute=True):
            services.course_announcement_deliver(
                course_id=course.pk, title="Exam moved", body="Room 4", dedupe_key="k"
            )

    assert [message.to for message in mail.outbox] == [[by_mail.email]]
    assert mail.outbox[0].subject == "Exam moved"
    assert pushed == [Notification.objects.get(recipient=with_device, dedupe_key="k").pk]
    assert not Notification.objects.filter(recipient=silent).exists()
    assert Notification.objects.filter(dedupe_key="k").count() == 3


def _socket(user: Any) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    communicator.scope["user"] = user
    return communicator


def _announce_and_listen(course: Any, learners: list[Any]) -> list[dict[str, Any]]:
    author = course.instructors.get()

    async def run() -> list[dict[str, Any]]:
        sockets = [_socket(learner) for learner in learners]
        for socket in sockets:
            assert (await socket.connect())[0]
            await socket.receive_json_from(timeout=2)  # the unread count
        await database_sync_to_async(services.course_announcement_send)(
            course=course, author=author, title="Exam moved", key="exam"
        )
        heard = [await socket.receive_json_from(timeout=2) for socket in sockets]
        for socket in sockets:
            await socket.disconnect()
        return heard

    return async_to_sync(run)()


@pytest.mark.django_db(transaction=True)
def test_sockets_read_their_copy_from_one_sheet_read_per_process_not_the_database(
    monkeypatch,
) -> None:
    course = _course_with_learners(3)
    learners = [enrollment.learner for enrollment in course.enrollments.order_by("id")]
    services.notify(recipient=learners[1], kind=Kind.LEVEL_UP, title="Level 2", dedupe_key="l2")
    asked_the_database: list[int] = []
    monkeypatch.setattr(
        services,
        "course_copy_for_socket",
        lambda **kwargs: asked_the_database.append(kwargs["user_id"]),
    )
    sheet_reads: list[str] = []
    load = services.course_sheet_load

    def counted_load(**kwargs: Any) -> Any:
        sheet_reads.append(kwargs["dedupe_key"])
        return load(**kwargs)

    monkeypatch.setattr(services, "course_sheet_load", counted_load)

    heard = _announce_and_listen(course, learners)

    copies = Notification.objects.filter(dedupe_key__startswith="announcement:")
    mine = {copy.recipient_id: copy.pk for copy in copies}
    assert asked_the_database == []
    assert len(sheet_reads) == 1  # three sockets, one read
    assert [message["notification"]["id"] for message in heard] == [
        mine[user.pk] for user in learners
    ]
    assert [message["notification"]["title"] for message in heard] == ["Exam moved"] * 3
    assert [message["unread"] for message in heard] == [1, 2, 1]


class _DownCache:
    def set(self, *args: Any, **kwargs: Any) -> None:
        raise ConnectionError("cache down")

    get = set


@pytest.mark.django_db(transaction=True)
def test_without_the_sheet_in_the_cache_sockets_still_get_their_copy_from_the_database(
    monkeypatch,
) -> None:
    """A cache that is down or evicted the sheet (or, on the embedded default, another
    process's local memory) costs speed, not the message."""
    course = _course_with_learners(2)
    learners = [enrollment.learner for enrollment in course.enrollments.order_by("id")]
    monkeypatch.setattr(broadcasts, "cache", _DownCache())

    heard = _announce_and_listen(course, learners)

    assert [message["notification"]["title"] for message in heard] == ["Exam moved"] * 2
    copies = Notification.objects.filter(recipient__in=learners).order_by("recipient_id")
    assert [message["notification"]["id"] for message in heard] == list(
        copies.values_list("pk", flat=True)
    )
    assert [message["unread"] for message in heard] == [1, 1]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="true concurrency needs PostgreSQL (set DATABASE_URL); SQLite serialises writers",
)
def test_two_runs_of_the_same_announcement_at_once_write_each_copy_once() -> None:
    course = _course_with_learners(30)
    barrier = threading.Barrier(4)

    def run() -> int:
        try:
            barrier.wait(timeout=30)
            return services.course_announcement_deliver(
                course_id=course.pk, title="Exam", body="", dedupe_key="same"
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        created = list(pool.map(lambda _: run(), range(4)))

    assert sum(created) == 30
    assert Notification.objects.filter(dedupe_key="same").count() == 30
