"""The study buddy over a WebSocket: streamed chunks in order, then the cited answer."""

from __future__ import annotations

import pytest
import time_machine
from asgiref.sync import async_to_sync, sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from ai_tools import services
from ai_tools.models import AIUsage, ChatMessage
from ai_tools.routing import websocket_urlpatterns
from ai_tools.tests.factories import EnrollmentFactory, StudentFactory, tides_course
from ai_tools.tests.fake_deepseek import FakeDeepSeek, Step
from courses.models import Course

pytestmark = pytest.mark.django_db(transaction=True)

# The longest a test waits for the next message (not a sleep): a loaded machine needs more than
# the communicator's default second to rank the passages of a first question.
WAIT = 10


def communicator(user, course_id: int) -> WebsocketCommunicator:
    ws = WebsocketCommunicator(
        URLRouter(websocket_urlpatterns), f"/ws/ai/courses/{course_id}/study-buddy/"
    )
    ws.scope["user"] = user
    return ws


@sync_to_async
def enrolled_learner(**course_fields):
    course, tides, _ = tides_course(**course_fields)
    learner = StudentFactory()
    EnrollmentFactory(learner=learner, course=course)
    return learner, course, tides


def test_chunks_arrive_in_order_then_a_final_message_with_citations() -> None:
    @async_to_sync
    async def scenario() -> None:
        learner, course, tides = await enrolled_learner()
        ws = communicator(learner, course.pk)
        connected, _ = await ws.connect()
        assert connected

        await ws.send_json_to({"question": "What causes spring tides?"})
        started = await ws.receive_json_from(timeout=WAIT)
        assert started["type"] == "conversation"
        chunks = []
        while True:
            event = await ws.receive_json_from(timeout=WAIT)
            if event["type"] != "chunk":
                break
            chunks.append(event["text"])

        assert event["type"] == "done"
        assert event["message"]["content"] == "".join(chunks).strip()
        assert len(chunks) > 5
        assert event["message"]["is_generated"] is True
        citations = event["message"]["citations"]
        assert citations
        assert {citation["lesson_id"] for citation in citations} == {tides.pk}
        assert "spring tides" in event["message"]["content"]

        # A second question in the same conversation keeps the history.
        await ws.send_json_to({"question": "And neap tides?", "conversation": started["id"]})
        while (await ws.receive_json_from(timeout=WAIT))["type"] != "done":
            pass
        count = await sync_to_async(
            ChatMessage.objects.filter(conversation_id=started["id"]).count
        )()
        assert count == 4
        await ws.disconnect()

    scenario()


def test_deepseek_chunks_stream_through_the_socket(
    deepseek_settings: FakeDeepSeek,
) -> None:
    @async_to_sync
    async def scenario() -> None:
        learner, course, _ = await enrolled_learner()
        deepseek_settings.queue(Step(chunks=["Spring ", "tides ", "are big [1]."]))
        ws = communicator(learner, course.pk)
        await ws.connect()

        await ws.send_json_to({"question": "What causes spring tides?"})
        events = [await ws.receive_json_from(timeout=WAIT) for _ in range(5)]

        assert [event["type"] for event in events] == [
            "conversation",
            "chunk",
            "chunk",
            "chunk",
            "done",
        ]
        assert [event["text"] for event in events[1:4]] == ["Spring ", "tides ", "are big [1]."]
        assert events[-1]["message"]["citations"][0]["number"] == 1
        await ws.disconnect()

    scenario()


def test_errors_are_sent_as_messages(deepseek_settings: FakeDeepSeek) -> None:
    @async_to_sync
    async def scenario() -> None:
        learner, course, _ = await enrolled_learner()
        deepseek_settings.queue(*[Step(status=429)] * 3)
        ws = communicator(learner, course.pk)
        await ws.connect()

        await ws.send_json_to({"question": "Moon?"})
        assert (await ws.receive_json_from(timeout=WAIT))["type"] == "conversation"
        error = await ws.receive_json_from(timeout=WAIT)

        assert error == {
            "type": "error",
            "code": "ai_provider_busy",
            "message": "The AI service is busy right now. Try again in a minute.",
        }
        await ws.send_json_to({"nothing": True})
        assert (await ws.receive_json_from(timeout=WAIT))["code"] == "invalid"
        await ws.disconnect()

    scenario()


def test_anonymous_and_unenrolled_users_are_refused() -> None:
    @async_to_sync
    async def scenario() -> None:
        _, course, _ = await enrolled_learner(required_plan=Course.Plan.PRO)
        outsider = await sync_to_async(StudentFactory)()

        anonymous = communicator(AnonymousUser(), course.pk)
        connected, code = await anonymous.connect()
        await anonymous.disconnect()
        assert (connected, code) == (False, 4401)
        stranger = communicator(outsider, course.pk)
        connected, code = await stranger.connect()
        await stranger.disconnect()
        assert (connected, code) == (False, 4403)

    scenario()


def test_a_plan_without_the_tools_gets_a_clear_error_over_the_socket() -> None:
    @async_to_sync
    async def scenario() -> None:
        course, _, _ = await sync_to_async(tides_course)()
        learner = await sync_to_async(StudentFactory)(plan="basic")
        await sync_to_async(EnrollmentFactory)(learner=learner, course=course)
        ws = communicator(learner, course.pk)
        connected, _ = await ws.connect()
        assert connected

        await ws.send_json_to({"question": "What causes spring tides?"})
        event = await ws.receive_json_from(timeout=WAIT)

        assert event["type"] == "error"
        assert event["code"] == "ai_plan_required"
        assert event["message"].startswith("The AI study tools come with the Pro plan and above")
        assert await sync_to_async(ChatMessage.objects.count)() == 0
        await ws.disconnect()

    scenario()


def test_past_the_per_minute_limit_the_socket_sends_the_reason_and_spends_nothing(
    settings,
) -> None:
    settings.AI_REQUESTS_PER_MINUTE = 1

    @async_to_sync
    async def scenario() -> None:
        learner, course, _ = await enrolled_learner()
        await sync_to_async(services.rate_limit_check)(user=learner)  # this minute's one request
        ws = communicator(learner, course.pk)
        connected, _ = await ws.connect()
        assert connected

        await ws.send_json_to({"question": "What causes spring tides?"})
        assert (await ws.receive_json_from(timeout=WAIT))["type"] == "conversation"
        event = await ws.receive_json_from(timeout=WAIT)

        assert event == {
            "type": "error",
            "code": "ai_rate_limited",
            "message": "You have made 1 AI requests this minute. Try again in 55 seconds.",
        }
        assert await sync_to_async(ChatMessage.objects.count)() == 0
        assert not await sync_to_async(AIUsage.objects.filter(requests__gt=0).exists)()
        await ws.disconnect()

    # Ticking from five seconds into a minute: the whole scenario stays inside that minute.
    with time_machine.travel("2026-03-02 10:15:05+00:00", tick=True):
        scenario()
