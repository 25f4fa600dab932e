"""The live socket: refused when anonymous; pushes the count and new notifications to the user,
over the configured channel layer (Redis in CI), also when a Celery job raised them."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from courses.tests.factories import StudentFactory
from gamification import tasks as gamification_tasks
from gamification.rules import Action
from notifications import services
from notifications.consumers import NotificationConsumer
from notifications.models import Kind

pytestmark = pytest.mark.django_db(transaction=True)


def _communicator(user: object) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    communicator.scope["user"] = user
    return communicator


def test_anonymous_sockets_are_refused() -> None:
    async def run() -> tuple[bool, int | None]:
        communicator = _communicator(AnonymousUser())
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected, code

    assert async_to_sync(run)() == (False, 4401)


def test_a_user_gets_the_count_then_new_notifications_and_others_get_nothing() -> None:
    learner = StudentFactory()
    stranger = StudentFactory()
    services.notify(recipient=learner, kind=Kind.ANSWER_POSTED, title="Earlier", dedupe_key="old")

    async def run() -> tuple[dict, dict, bool]:
        mine = _communicator(learner)
        theirs = _communicator(stranger)
        assert (await mine.connect())[0]
        assert (await theirs.connect())[0]
        first = await mine.receive_json_from(timeout=2)
        await theirs.receive_json_from(timeout=2)  # the stranger's own count
        from channels.db import database_sync_to_async

        await database_sync_to_async(services.notify)(
            recipient=learner, kind=Kind.ANSWER_POSTED, title="Fresh answer", dedupe_key="new"
        )
        pushed = await mine.receive_json_from(timeout=2)
        stranger_silent = await theirs.receive_nothing(timeout=0.3)
        await mine.disconnect()
        await theirs.disconnect()
        return first, pushed, stranger_silent

    first, pushed, stranger_silent = async_to_sync(run)()
    assert first == {"type": "count", "unread": 1}
    assert pushed["type"] == "notification"
    assert pushed["notification"]["title"] == "Fresh answer"
    assert pushed["unread"] == 2
    assert stranger_silent is True


def test_a_notification_raised_by_a_celery_job_reaches_the_socket() -> None:
    learner = StudentFactory()

    async def run() -> dict:
        socket = _communicator(learner)
        assert (await socket.connect())[0]
        await socket.receive_json_from(timeout=2)
        from channels.db import database_sync_to_async

        # The XP job (run by a worker in production, eagerly here) awards a first lesson, which
        # unlocks a badge; its notification travels through the channel layer to the socket.
        await database_sync_to_async(gamification_tasks.learning_rewarded.delay)(
            learner.pk, Action.LESSON_COMPLETED, "lesson-1"
        )
        message = await socket.receive_json_from(timeout=3)
        await socket.disconnect()
        return message

    message = async_to_sync(run)()
    assert message["type"] == "notification"
    assert message["notification"]["title"] == "Badge unlocked: First steps"
