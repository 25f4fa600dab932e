"""The acceptance test for API rate limits: exact across two server processes sharing Redis.

150 requests of one user within a minute, 20 at a time, spread over two Lumen processes: exactly
100 succeed and 50 get 429 with Retry-After. DRF's stock throttle (read, then write) lets a
parallel burst through; Lumen's counter is one atomic Redis operation per request.
"""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.conf import settings

from accounts.services import user_create
from accounts.tokens import token_pair_issue
from core.roles import Role
from tests.integration.servers import current_database_url, lumen_servers, redis_url_for_test

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ENDPOINT = "/api/v1/users/profile"
REQUESTS = 150
CONCURRENCY = 20


def _server_environment(redis_url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # The servers must run on the default rates and this test's own database and Redis.
        if not key.startswith(("API_THROTTLE_", "DATABASE_URL", "REDIS_URL", "CELERY_"))
    }
    env.update(
        DJANGO_ENV="test",
        DATABASE_URL=current_database_url(),
        REDIS_URL=redis_url,
        SECRET_KEY=settings.SECRET_KEY,
        JWT_SECRET=settings.SIMPLE_JWT["SIGNING_KEY"],
        CACHE_KEY_PREFIX=f"lumen-burst-{uuid.uuid4().hex[:12]}",
        LOG_LEVEL="WARNING",
    )
    return env


def test_150_requests_over_two_processes_exactly_100_succeed(tmp_path):
    user = user_create(email="burst@example.com", password="burst-password-9", role=Role.STUDENT)
    access = token_pair_issue(user=user)["access"]
    headers = {"Authorization": f"Bearer {access}"}

    with (
        redis_url_for_test(tmp_path) as redis_url,
        lumen_servers(2, _server_environment(redis_url), tmp_path, process="web") as ports,
    ):

        def call(number: int) -> tuple[int, int, str | None]:
            port = ports[number % 2]
            response = httpx.get(f"http://127.0.0.1:{port}{ENDPOINT}", headers=headers, timeout=30)
            return port, response.status_code, response.headers.get("Retry-After")

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
            results = list(pool.map(call, range(REQUESTS)))
        elapsed = time.monotonic() - started

    assert elapsed < 50, f"the burst took {elapsed:.0f}s; it must fit in one 60s window"
    assert Counter(status for _, status, _ in results) == {200: 100, 429: 50}
    # Each process served 75: with a count per process, all 150 would have passed.
    assert Counter(port for port, _, _ in results) == {ports[0]: 75, ports[1]: 75}
    for _, status, retry_after in results:
        if status == 429:
            assert retry_after is not None
            assert 1 <= int(retry_after) <= 60
        else:
            assert retry_after is None
