"""The live socket, through the real ASGI stack (origin check, session auth, routing)."""

from __future__ import annotations

import functools

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from courses.tests.factories import CourseFactory, EnrollmentFactory
from lms.asgi import application
from notifications import services
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db(transaction=True)


def _session_cookie(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def run_async(test):
    """pytest has no asyncio plugin here: run the coroutine on its own loop."""

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return async_to_sync(test)(*args, **kwargs)

    return wrapper


async def _socket(user=None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://localhost")]
    if user is not None:
        cookie = await sync_to_async(_session_cookie)(user)
        headers.append((b"cookie", cookie.encode()))
    return WebsocketCommunicator(application, "/ws/notifications/", headers=headers)


@run_async
async def test_anonymous_connections_are_refused():
    communicator = await _socket()
    connected, code = await communicator.connect()
    assert (connected, code) == (False, 4401)


@run_async
async def test_every_tab_of_the_user_gets_the_notification_and_others_none(student, other_student):
    tab_one, tab_two, stranger = (
        await _socket(student),
        await _socket(student),
        await _socket(other_student),
    )
    for tab in (tab_one, tab_two, stranger):
        assert (await tab.connect())[0]
        assert await tab.receive_json_from() == {"type": "unread_count", "unread_count": 0}

    notification = await sync_to_async(services.notification_create)(
        recipient=student, kind=Kind.ANSWER_POSTED, title="New answer", body="Use F()"
    )
    for tab in (tab_one, tab_two):
        message = await tab.receive_json_from(timeout=1)
        assert message["type"] == "notification"
        assert message["unread_count"] == 1
        assert message["notification"]["id"] == notification.pk
        assert message["notification"]["title"] == "New answer"
    assert await stranger.receive_nothing(timeout=0.2)
    for tab in (tab_one, tab_two, stranger):
        await tab.disconnect()


@run_async
async def test_marking_read_over_the_socket_updates_every_tab(student):
    notification = await sync_to_async(services.notification_create)(
        recipient=student, kind=Kind.XP_AWARDED, title="+10 XP"
    )
    tab_one, tab_two = await _socket(student), await _socket(student)
    for tab in (tab_one, tab_two):
        await tab.connect()
        assert (await tab.receive_json_from())["unread_count"] == 1
    await tab_one.send_json_to({"action": "mark_read", "id": notification.pk})
    for tab in (tab_one, tab_two):
        assert await tab.receive_json_from(timeout=1) == {"type": "unread_count", "unread_count": 0}
    assert await sync_to_async(Notification.objects.filter(read_at__isnull=False).count)() == 1
    await tab_one.send_json_to({"action": "mark_read", "id": "x"})
    assert (await tab_one.receive_json_from())["type"] == "error"
    await tab_one.send_json_to({"action": "mark_read", "id": 999999})
    assert await tab_one.receive_json_from() == {
        "type": "error",
        "message": "No such notification.",
    }
    for tab in (tab_one, tab_two):
        await tab.disconnect()


@run_async
async def test_course_announcement_reaches_enrolled_sockets_only(
    instructor, student, other_student
):
    course = await sync_to_async(CourseFactory)(instructors=[instructor])
    await sync_to_async(EnrollmentFactory)(course=course, learner=student)
    learner, outsider = await _socket(student), await _socket(other_student)
    for tab in (learner, outsider):
        await tab.connect()
        await tab.receive_json_from()
    await sync_to_async(services.course_announcement_send)(
        course=course, author=instructor, title="Exam moved to Friday"
    )
    message = await learner.receive_json_from(timeout=1)
    assert message["notification"]["title"] == "Exam moved to Friday"
    assert message["unread_count"] == 1
    assert await outsider.receive_nothing(timeout=0.2)
    for tab in (learner, outsider):
        await tab.disconnect()


@run_async
async def test_an_access_token_authenticates_and_a_bad_one_is_refused(student):
    from accounts.tokens import token_pair_issue

    access = (await sync_to_async(token_pair_issue)(user=student))["access"]
    good = WebsocketCommunicator(
        application,
        "/ws/notifications/",
        headers=[(b"origin", b"http://localhost"), (b"authorization", f"Bearer {access}".encode())],
    )
    assert (await good.connect())[0]
    assert await good.receive_json_from() == {"type": "unread_count", "unread_count": 0}
    await good.disconnect()
    bad = WebsocketCommunicator(
        application,
        "/ws/notifications/",
        headers=[(b"origin", b"http://localhost"), (b"authorization", b"Bearer not-a-token")],
    )
    assert await bad.connect() == (False, 4401)
