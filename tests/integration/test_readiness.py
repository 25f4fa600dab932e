"""/readyz against a real Redis that goes away and comes back."""

from __future__ import annotations

import time

import pytest

from tests.integration.servers import RedisServer

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def test_readyz_names_the_cache_while_redis_is_down_and_recovers(client, settings, redis_server):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": redis_server.url,
            "KEY_PREFIX": "readyz-test",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    up = client.get("/readyz")
    assert up.status_code == 200, up.json()

    redis_server.stop()
    t = time.monotonic()
    down = client.get("/readyz")
    print("down took", time.monotonic() - t)

    assert down.status_code == 503
    body = down.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["cache"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] == "ok"
    assert body["checks"]["cache"].startswith("error: ")

    redis_server.start()
    t = time.monotonic()
    back = client.get("/readyz")
    print("back took", time.monotonic() - t)

    assert back.status_code == 200
    assert back.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}
