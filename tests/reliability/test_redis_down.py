"""Redis stops: pages and the API keep serving, rate limits fail open, /readyz reports it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import StudentFactory
from accounts.tokens import token_pair_issue
from tests.integration.servers import RedisServer

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


@pytest.fixture
def redis_down(tmp_path, settings):
    """The project's Redis cache configuration (cache-backed sessions included) pointed at a
    Redis of our own, which is then stopped."""
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": server.url,
            "KEY_PREFIX": "redis-down-test",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    server.stop()  # (the settings fixture's change signal rebuilt the cache handlers)
    return server


def test_the_api_keeps_serving_anonymous_and_signed_in_callers(redis_down):
    user = StudentFactory()
    anonymous = APIClient().get("/api/v1/courses")
    signed_in = APIClient(HTTP_AUTHORIZATION=f"Bearer {token_pair_issue(user=user)['access']}")

    assert anonymous.status_code == 200
    assert signed_in.get("/api/v1/users/profile").status_code == 200


def test_sign_in_through_the_api_still_works(redis_down):
    user = StudentFactory()

    response = APIClient().post(
        "/api/v1/auth/login",
        {"email": user.email, "password": "a-long-test-passphrase-42"},
        format="json",
    )

    assert response.status_code == 200


def test_pages_keep_serving(client, redis_down):
    assert client.get("/").status_code == 200
    assert client.get("/accounts/login/").status_code == 200


def test_readyz_names_the_cache(client, redis_down):
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]
