"""The test suite's own isolation: parallel workers share one Redis in CI."""

from __future__ import annotations

import pytest
import redis

from tests.integration.servers import RedisServer

pytestmark = pytest.mark.redis


def test_clearing_the_cache_leaves_other_workers_keys_alone(tmp_path, settings):
    """A FLUSHDB here once signed out a learner in another xdist worker mid-test."""
    from django.core.cache import caches

    server = RedisServer(tmp_path)
    server.start()
    try:
        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": server.url,
                "KEY_PREFIX": "this-worker",
            }
        }
        other_worker = redis.Redis.from_url(server.url)
        other_worker.set(":1:other-worker-session", b"signed in")
        cache = caches["default"]
        cache.set("mine", 1)

        cache.clear()

        assert cache.get("mine") is None
        assert other_worker.get(":1:other-worker-session") == b"signed in"
    finally:
        server.stop()
