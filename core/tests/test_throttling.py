"""API rate limits: 100 requests a minute per user, 30 per IP for anonymous callers, exact.

These run on whatever cache the settings give (local memory, or Redis when REDIS_URL is set). The
cross-process guarantee is tested against real servers in tests/integration/test_throttle_burst.py.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.throttling import window_hit

pytestmark = [pytest.mark.urls("core.tests.urls"), pytest.mark.django_db]


def _assert_refused_for_the_rest_of_the_minute(response) -> None:
    """429 with the error shape; Retry-After is what is left of the 60s window."""
    assert response.status_code == 429
    seconds = int(response.headers["Retry-After"])
    # The window opened at the first request; a slow machine may have used a second or two.
    assert 55 <= seconds <= 60
    assert response.json() == {
        "error": {
            "code": "throttled",
            "message": f"Request was throttled. Expected available in {seconds} seconds.",
            "fields": {},
        }
    }


def _statuses(api_client, count: int, path: str = "/test-api/private", **extra) -> list[int]:
    return [api_client.get(path, **extra).status_code for _ in range(count)]


def test_the_101st_request_of_a_user_in_a_minute_is_refused(api_client, student):
    api_client.force_authenticate(student)

    assert _statuses(api_client, 100) == [200] * 100
    response = api_client.get("/test-api/private")

    _assert_refused_for_the_rest_of_the_minute(response)


def test_each_user_has_a_window_of_their_own(api_client, student, make_user):
    api_client.force_authenticate(student)
    assert _statuses(api_client, 101)[-1] == 429

    api_client.force_authenticate(make_user("other@example.com"))

    assert _statuses(api_client, 100) == [200] * 100


def test_anonymous_callers_get_a_lower_rate_per_ip(api_client):
    # /test-api/echo is open to everyone; anonymous callers are limited by IP.
    assert _statuses(api_client, 30, "/test-api/echo") == [200] * 30
    refused = api_client.get("/test-api/echo")

    _assert_refused_for_the_rest_of_the_minute(refused)
    assert _statuses(api_client, 1, "/test-api/echo", REMOTE_ADDR="10.1.2.3") == [200]


def test_an_anonymous_caller_cannot_escape_the_limit_with_forwarded_for(api_client):
    statuses = [
        api_client.get("/test-api/echo", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(31)
    ]

    assert statuses == [200] * 30 + [429]


def test_signed_in_requests_do_not_use_up_the_anonymous_rate(api_client, student):
    api_client.force_authenticate(student)
    assert _statuses(api_client, 40, "/test-api/echo") == [200] * 40

    api_client.force_authenticate(None)

    assert _statuses(api_client, 30, "/test-api/echo") == [200] * 30


def test_the_counter_is_exact_under_concurrent_hits():
    with ThreadPoolExecutor(max_workers=20) as pool:
        counts = [count for count, _ in pool.map(lambda _: window_hit("burst", 60), range(150))]

    assert sorted(counts) == list(range(1, 151))


def test_the_window_closes_after_its_period(api_client, student, settings):
    # Redis expires keys on its own clock, which time-machine cannot move; the local-memory
    # cache reads time.time(), so the window arithmetic is tested there.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "throttle-window-test",
        }
    }
    api_client.force_authenticate(student)
    start = timezone.now()

    with time_machine.travel(start, tick=False) as traveller:
        assert _statuses(api_client, 100) == [200] * 100
        traveller.shift(timedelta(seconds=45))
        refused = api_client.get("/test-api/private")
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "15"

        traveller.shift(timedelta(seconds=15))

        assert _statuses(api_client, 100) == [200] * 100
        assert api_client.get("/test-api/private").status_code == 429


def test_a_changed_rate_takes_effect_without_a_restart(api_client, student, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/hour", "anon": "1/hour"},
    }
    api_client.force_authenticate(student)

    assert _statuses(api_client, 4) == [200, 200, 200, 429]
    assert api_client.get("/test-api/private").headers["Retry-After"] == "3600"
