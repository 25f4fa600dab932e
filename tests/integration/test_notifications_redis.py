"""Live notifications across processes over the Redis channel layer, as in production: a Celery
job and an instructor's announcement made in this process reach the sockets that a Lumen server
(uvicorn on lms.asgi, another process) holds open, authenticated by JWT, and only the sockets
they are meant for."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import uuid
from typing import Any

import pytest
import time_machine
from asgiref.sync import async_to_sync
from django.conf import settings
from django.utils import timezone
from websockets.asyncio.client import connect

from accounts.tokens import token_pair_issue
from courses.tests.factories import (
    CourseFactory,
    EnrollmentFactory,
    InstructorFactory,
    StudentFactory,
)
from gamification import tasks as gamification_tasks
from gamification.rules import Action
from notifications import services
from tests.integration.servers import current_database_url, lumen_servers, redis_url_for_test

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _server_environment(redis_url: str, prefix: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "REDIS_URL", "CELERY_"))
    }
    env.update(
        DJANGO_ENV="test",
        DATABASE_URL=current_database_url(),
        REDIS_URL=redis_url,
        SECRET_KEY=settings.SECRET_KEY,
        JWT_SECRET=settings.SIMPLE_JWT["SIGNING_KEY"],
        CACHE_KEY_PREFIX=prefix,
        LOG_LEVEL="WARNING",
    )
    return env


async def _next(socket: Any, timeout: float = 5) -> dict:
    return json.loads(await asyncio.wait_for(socket.recv(), timeout))


async def _nothing(socket: Any) -> list:
    stray = []
    with contextlib.suppress(TimeoutError):
        stray.append(await asyncio.wait_for(socket.recv(), 0.5))
    return stray


def _reward_a_first_lesson_at_noon(learner_id: int) -> None:
    """The XP job for a first lesson, run at noon of today (UTC, the learner's zone): at night
    it would also unlock the time-of-day badge, a second notification."""
    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(noon, tick=True):
        gamification_tasks.learning_rewarded.delay(learner_id, Action.LESSON_COMPLETED, "lesson-1")


def test_a_celery_job_and_a_course_announcement_reach_sockets_on_another_process_over_redis(
    tmp_path: Any, settings: Any
) -> None:
    settings.MFA_REQUIRED_FOR_STAFF = False
    instructor = InstructorFactory()
    course = CourseFactory(instructors=[instructor])
    learner, bystander = StudentFactory(), StudentFactory()
    EnrollmentFactory(course=course, learner=learner)
    tokens = {user.pk: token_pair_issue(user=user)["access"] for user in (learner, bystander)}
    prefix = f"lumen-notify-{uuid.uuid4().hex[:12]}"

    with (
        redis_url_for_test(tmp_path) as redis_url,
        lumen_servers(1, _server_environment(redis_url, prefix), tmp_path) as (port,),
    ):
        # This process sends through the same Redis layer the server listens on.
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [redis_url], "prefix": f"{prefix}:channels"},
            }
        }

        async def scenario() -> dict[str, Any]:
            url = f"ws://127.0.0.1:{port}/ws/notifications/"
            origin = f"http://127.0.0.1:{port}"
            loop = asyncio.get_running_loop()
            # A browser offers its token as a subprotocol; a script sends a header.
            browser_socket = connect(
                url, origin=origin, subprotocols=["lumen.jwt", tokens[learner.pk]]
            )
            script_socket = connect(
                url,
                origin=origin,
                additional_headers={"Authorization": f"Bearer {tokens[bystander.pk]}"},
            )
            async with browser_socket as mine, script_socket as theirs:
                seen: dict[str, Any] = {"subprotocol": mine.subprotocol}
                seen["first"] = await _next(mine)
                await _next(theirs)  # its own unread count
                # The XP job (a worker in production, eager here) awards a first lesson, which
                # unlocks a badge; its notification crosses Redis to the server's socket.
                await loop.run_in_executor(None, _reward_a_first_lesson_at_noon, learner.pk)
                seen["job"] = await _next(mine)
                await loop.run_in_executor(
                    None,
                    lambda: services.course_announcement_send(
                        course=course, author=instructor, title="Exam moved to Friday"
                    ),
                )
                seen["announcement"] = await _next(mine)
                seen["stray"] = await _nothing(theirs)
                return seen

        seen = async_to_sync(scenario)()

    assert seen["subprotocol"] == "lumen.jwt"
    assert seen["first"] == {"type": "count", "unread": 0}
    assert seen["job"]["type"] == "notification"
    assert seen["job"]["notification"]["title"] == "Badge unlocked: First steps"
    assert seen["job"]["unread"] == 1
    assert seen["announcement"]["notification"]["title"] == "Exam moved to Friday"
    assert seen["announcement"]["notification"]["kind"] == "announcement"
    assert seen["announcement"]["unread"] == 2
    assert seen["stray"] == []
