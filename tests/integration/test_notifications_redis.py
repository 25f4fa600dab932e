"""Live notifications across processes: a Celery job in this process, a socket on a Lumen server.

The channel layer is Redis, as in production: the job's send reaches the socket that another
process (uvicorn on lms.asgi) holds open, and only the recipient's socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import uuid

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from websockets.asyncio.client import connect

from accounts.tests.factories import StudentFactory
from accounts.tokens import token_pair_issue
from notifications.models import Kind
from notifications.tasks import notification_send
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


def test_a_celery_job_notifies_the_recipients_socket_over_redis(tmp_path, settings):
    recipient, bystander = StudentFactory(), StudentFactory()
    tokens = {user.pk: token_pair_issue(user=user)["access"] for user in (recipient, bystander)}
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

        async def scenario() -> tuple[dict, dict, list]:
            url = f"ws://127.0.0.1:{port}/ws/notifications/"
            origin = f"http://127.0.0.1:{port}"

            def socket(user):
                return connect(
                    url,
                    origin=origin,
                    additional_headers={"Authorization": f"Bearer {tokens[user.pk]}"},
                )

            async with socket(recipient) as mine, socket(bystander) as theirs:
                first = json.loads(await asyncio.wait_for(mine.recv(), 5))
                await asyncio.wait_for(theirs.recv(), 5)  # its own unread count
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(
                    None,
                    lambda: notification_send.delay(
                        user_id=recipient.pk,
                        kind=Kind.ANSWER_POSTED,
                        title="Your question has an answer",
                    ),
                )
                pushed = json.loads(await asyncio.wait_for(mine.recv(), 5))
                stray = []
                with contextlib.suppress(TimeoutError):
                    stray.append(await asyncio.wait_for(theirs.recv(), 0.5))
                return first, pushed, stray

        first, pushed, stray = async_to_sync(scenario)()

    assert first == {"type": "unread_count", "unread_count": 0}
    assert pushed["type"] == "notification"
    assert pushed["unread_count"] == 1
    assert pushed["notification"]["title"] == "Your question has an answer"
    assert stray == []
