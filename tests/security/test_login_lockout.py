"""Brute force on passwords: a per-account lockout on the API login and the browser login (shared,
accounts.lockout), allauth's own per-account limit on the browser login, and no unthrottled way
in through the admin's login page.

The windows are moved with time-machine on the local-memory cache (whose expiry reads the same
clock), also when the suite runs against Redis, whose own clock a test cannot move.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts import lockout
from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, AdminFactory, StudentFactory
from tests.integration.servers import RedisServer

LOGIN = "/api/v1/auth/login"
WRONG = "not-the-password-123"
LOCKED_MESSAGE = "Too many failed sign-in attempts for this account; try again in 5 minutes."
ALLAUTH_LOCKED = "Too many failed login attempts. Try again later."


@pytest.fixture(autouse=True)
def _local_clock_cache(settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "lockout-tests",
        }
    }


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def learner(db: None) -> User:
    user = StudentFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _api_login(email: str, password: str, *, ip: str = "10.0.0.1") -> object:
    # A new address for each caller: the per-IP limit is not what is tested here.
    return APIClient(REMOTE_ADDR=ip).post(LOGIN, {"email": email, "password": password})


def _browser_login(client: Client, email: str, password: str) -> object:
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_five_api_failures_lock_the_account_even_for_the_right_password(
    learner: User, clock
) -> None:
    failures = [_api_login(learner.email, WRONG, ip=f"10.0.0.{n}") for n in range(5)]
    assert [response.status_code for response in failures] == [401] * 5

    locked = _api_login(learner.email, DEFAULT_PASSWORD, ip="10.0.1.1")

    assert locked.status_code == 429
    assert locked.json() == {
        "error": {
            "code": "account_locked",
            "message": LOCKED_MESSAGE,
            "fields": {},
            "extra": {"retry_after": 300},
        }
    }
    assert locked["Retry-After"] == "300"
    assert not OutstandingToken.objects.filter(user=learner).exists()


def test_the_lock_lifts_when_the_window_closes(learner: User, clock) -> None:
    for n in range(5):
        _api_login(learner.email, WRONG, ip=f"10.0.0.{n}")
    clock.shift(timedelta(seconds=240))
    still_locked = _api_login(learner.email, DEFAULT_PASSWORD)
    assert still_locked.status_code == 429
    assert still_locked["Retry-After"] == "60"

    clock.shift(timedelta(seconds=61))
    response = _api_login(learner.email, DEFAULT_PASSWORD)

    assert response.status_code == 200
    assert OutstandingToken.objects.filter(user=learner).count() == 1


def test_the_lock_is_per_account(learner: User, clock) -> None:
    other = StudentFactory()
    for n in range(5):
        _api_login(learner.email, WRONG, ip=f"10.0.0.{n}")

    assert _api_login(other.email, DEFAULT_PASSWORD).status_code == 200
    assert _api_login(learner.email.upper(), DEFAULT_PASSWORD).status_code == 429


def test_a_successful_sign_in_does_not_count_as_a_failure(learner: User, clock) -> None:
    for n in range(4):
        _api_login(learner.email, WRONG, ip=f"10.0.0.{n}")
    for _ in range(3):
        assert _api_login(learner.email, DEFAULT_PASSWORD).status_code == 200

    assert _api_login(learner.email, WRONG).status_code == 401
    assert _api_login(learner.email, DEFAULT_PASSWORD).status_code == 429


def test_unknown_addresses_lock_the_same_way(db: None, clock) -> None:
    """Whether an account exists does not show in how it is refused."""
    answers = [_api_login("nobody@example.com", WRONG, ip=f"10.0.0.{n}") for n in range(6)]

    assert [response.status_code for response in answers] == [401] * 5 + [429]


def test_failures_on_the_api_lock_the_browser_login(learner: User, clock) -> None:
    for n in range(5):
        _api_login(learner.email, WRONG, ip=f"10.0.0.{n}")
    client = Client()

    response = _browser_login(client, learner.email, DEFAULT_PASSWORD)

    assert response.status_code == 200
    assert ALLAUTH_LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_in_the_browser_lock_the_api(learner: User, clock) -> None:
    for _ in range(5):
        _browser_login(Client(), learner.email, WRONG)

    assert _api_login(learner.email, DEFAULT_PASSWORD).status_code == 429


def test_allauths_own_limit_locks_the_browser_login(
    learner: User, clock, settings, monkeypatch
) -> None:
    """ACCOUNT_RATE_LIMITS["login_failed"] = "10/m/ip,5/5m/key": with Lumen's lockout out of the
    way, allauth's per-account limit alone refuses the sixth attempt, right password included,
    from any address, until five minutes have passed."""
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"
    monkeypatch.setattr(lockout, "LOGIN_MAX_FAILURES", 1000)
    for n in range(5):
        client = Client(REMOTE_ADDR=f"10.0.2.{n}")
        _browser_login(client, learner.email, WRONG)
        assert "_auth_user_id" not in client.session

    client = Client(REMOTE_ADDR="10.0.3.1")
    locked = _browser_login(client, learner.email, DEFAULT_PASSWORD)
    assert ALLAUTH_LOCKED in locked.content.decode()
    assert "_auth_user_id" not in client.session

    clock.shift(timedelta(minutes=5, seconds=1))
    response = _browser_login(client, learner.email, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(learner.pk)


# --- the admin's login page ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_admin_login_page_sends_visitors_to_the_throttled_sign_in() -> None:
    response = Client().get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


@pytest.mark.django_db
def test_posting_a_password_to_the_admin_login_never_signs_in(clock) -> None:
    """Django's own admin login form (no rate limit, no second factor) is not reachable: a POST
    with an admin's right password is redirected like a GET and nobody is signed in, however
    often it is tried."""
    admin = AdminFactory()
    client = Client()

    answers = [
        client.post("/admin/login/", {"username": admin.email, "password": password})
        for password in [WRONG] * 10 + [DEFAULT_PASSWORD]
    ]

    assert {response.status_code for response in answers} == {302}
    assert {response["Location"] for response in answers} == {
        "/accounts/login/?next=%2Fadmin%2Flogin%2F"
    }
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


@pytest.mark.redis
def test_on_redis_a_success_is_taken_back_and_five_failures_lock(db: None, tmp_path, settings):
    """The same counter on Redis (one Lua INCR per attempt, DECR for a success), on a Redis of
    the test's own."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": server.url,
                "KEY_PREFIX": "lockout-test",
            }
        }
        user = StudentFactory()
        for n in range(4):
            assert _api_login(user.email, WRONG, ip=f"10.0.0.{n}").status_code == 401
        assert _api_login(user.email, DEFAULT_PASSWORD).status_code == 200
        assert _api_login(user.email, WRONG).status_code == 401

        locked = _api_login(user.email, DEFAULT_PASSWORD)

        assert locked.status_code == 429
        assert 299 <= int(locked["Retry-After"]) <= 300
    finally:
        server.stop()
