"""The sign-in API: register, login, refresh (rotation, exactly once), logout, password change."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.db import connections
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts import services, tokens
from accounts.models import User
from accounts.tests.factories import (
    DEFAULT_PASSWORD,
    AdminFactory,
    InstructorFactory,
    StudentFactory,
)

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
PROFILE = "/api/v1/users/profile"
PASSWORD = "/api/v1/users/password"

NEW_PASSWORD = "another-long-passphrase-77"


def error(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def test_register_login_refresh_logout_chain(api_client: APIClient, db: None) -> None:
    response = api_client.post(
        REGISTER,
        {"email": "Ada@Example.com", "password": DEFAULT_PASSWORD, "display_name": "Ada"},
    )
    assert response.status_code == 201
    body = response.json()
    user = User.objects.get()
    assert body["user"] == {
        "id": user.pk,
        "email": "ada@example.com",
        "role": "student",
        "date_joined": body["user"]["date_joined"],
        "display_name": "Ada",
        "avatar": None,
        "time_zone": "UTC",
        "bio": "",
        "theme": "system",
    }
    assert set(body) == {"user", "access", "refresh"}
    assert bearer(body["access"]).get(PROFILE).json()["email"] == "ada@example.com"

    login = api_client.post(LOGIN, {"email": "ADA@example.com", "password": DEFAULT_PASSWORD})
    assert login.status_code == 200
    assert set(login.json()) == {"access", "refresh"}
    first_refresh = login.json()["refresh"]

    refreshed = api_client.post(REFRESH, {"refresh": first_refresh})
    assert refreshed.status_code == 200
    assert set(refreshed.json()) == {"access", "refresh"}
    second_refresh = refreshed.json()["refresh"]
    assert second_refresh != first_refresh
    assert bearer(refreshed.json()["access"]).get(PROFILE).status_code == 200

    reused = api_client.post(REFRESH, {"refresh": first_refresh})
    assert reused.status_code == 401
    assert reused.json() == error("token_not_valid", "Token is blacklisted")
    assert reused["WWW-Authenticate"] == 'Bearer realm="lumen-api"'

    logout = api_client.post(LOGOUT, {"refresh": second_refresh})
    assert logout.status_code == 204

    after_logout = api_client.post(REFRESH, {"refresh": second_refresh})
    assert after_logout.status_code == 401
    assert after_logout.json() == error("token_not_valid", "Token is blacklisted")
    # register, login and one refresh issued three refresh tokens; two were used up.
    assert OutstandingToken.objects.filter(user=user).count() == 3
    assert BlacklistedToken.objects.filter(token__user=user).count() == 2


def test_register_makes_a_student_whatever_the_request_says(
    api_client: APIClient, db: None
) -> None:
    response = api_client.post(
        REGISTER,
        {"email": "mallory@example.com", "password": DEFAULT_PASSWORD, "role": "admin"},
    )

    assert response.status_code == 201
    user = User.objects.get(email="mallory@example.com")
    assert (user.role, user.is_staff, user.is_superuser) == ("student", False, False)
    assert list(user.groups.values_list("name", flat=True)) == ["Students"]
    assert response.json()["user"]["display_name"] == ""


def test_register_mails_a_verification_link_that_verifies_the_address(
    api_client: APIClient,
    db: None,
    mailoutbox: list,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            REGISTER, {"email": "Ada@Example.com", "password": DEFAULT_PASSWORD}
        )

    assert response.status_code == 201
    address = EmailAddress.objects.get()
    assert (address.email, address.primary, address.verified) == ("ada@example.com", True, False)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ada@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mailoutbox[0].body)
    assert link is not None

    confirmed = Client().post(link.group(1))

    assert confirmed.status_code == 302
    address.refresh_from_db()
    assert address.verified is True


def test_a_refused_registration_records_no_address_and_sends_no_mail(
    api_client: APIClient, student: User, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    before = EmailAddress.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(REGISTER, {"email": student.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 400
    assert EmailAddress.objects.count() == before
    assert mailoutbox == []


def test_register_refuses_an_email_taken_in_another_case(
    api_client: APIClient, student: User
) -> None:
    response = api_client.post(
        REGISTER, {"email": student.email.upper(), "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 400
    message = "An account with this email address already exists."
    assert response.json() == error("validation_error", message, {"email": [message]})
    assert User.objects.count() == 1


def test_register_refuses_a_weak_password(api_client: APIClient, db: None) -> None:
    response = api_client.post(REGISTER, {"email": "ada@example.com", "password": "1234567"})

    assert response.status_code == 400
    messages = [
        "This password is too short. It must contain at least 8 characters.",
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    assert response.json() == error("validation_error", messages[0], {"password": messages})
    assert not User.objects.exists()


def test_register_refuses_a_password_like_the_email(api_client: APIClient, db: None) -> None:
    response = api_client.post(
        REGISTER, {"email": "stargazer1987@example.com", "password": "stargazer1987"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "password": ["The password is too similar to the email address."]
    }
    assert not User.objects.exists()


def test_register_validates_its_input(api_client: APIClient, db: None) -> None:
    response = api_client.post(
        REGISTER, {"email": "not-an-email", "password": "", "display_name": "x" * 81}
    )

    assert response.status_code == 400
    assert response.json() == error(
        "validation_error",
        "email: Enter a valid email address.",
        {
            "email": ["Enter a valid email address."],
            "password": ["This field may not be blank."],
            "display_name": ["Ensure this field has no more than 80 characters."],
        },
    )
    assert not User.objects.exists()


def test_login_updates_last_login(api_client: APIClient, student: User) -> None:
    assert student.last_login is None

    response = api_client.post(LOGIN, {"email": student.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 200
    student.refresh_from_db()
    assert student.last_login is not None


@pytest.mark.parametrize(
    ("email", "password"),
    [("student0@example.com", "wrong-password"), ("nobody@example.com", DEFAULT_PASSWORD)],
)
def test_login_refuses_wrong_credentials(
    api_client: APIClient, db: None, email: str, password: str
) -> None:
    StudentFactory(email="student0@example.com")

    response = api_client.post(LOGIN, {"email": email, "password": password})

    assert response.status_code == 401
    assert response.json() == error(
        "invalid_credentials", "No active account has this email and password."
    )
    assert response["WWW-Authenticate"] == 'Bearer realm="lumen-api"'
    assert not OutstandingToken.objects.exists()


def test_login_refuses_an_inactive_account(api_client: APIClient, db: None) -> None:
    user = StudentFactory(is_active=False)

    response = api_client.post(LOGIN, {"email": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert not OutstandingToken.objects.exists()


def test_login_needs_email_and_password(api_client: APIClient, db: None) -> None:
    response = api_client.post(LOGIN, {})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "email": ["This field is required."],
        "password": ["This field is required."],
    }


def test_deactivated_users_tokens_are_refused(api_client: APIClient, student: User) -> None:
    pair = tokens.token_pair_issue(user=student)
    assert bearer(pair["access"]).get(PROFILE).status_code == 200

    services.user_deactivate(user=student)

    profile = bearer(pair["access"]).get(PROFILE)
    assert profile.status_code == 401
    assert profile.json() == error("user_inactive", "User is inactive")
    refresh = api_client.post(REFRESH, {"refresh": pair["refresh"]})
    assert refresh.status_code == 401
    assert refresh.json() == error("user_inactive", "User is inactive")
    assert not BlacklistedToken.objects.exists()  # the refused token was not used up


def test_tokens_issued_before_a_password_change_are_refused(
    api_client: APIClient, student: User
) -> None:
    pair = tokens.token_pair_issue(user=student)

    # As the browser's password change does: a new password hash.
    services.user_password_change(
        user=student, old_password=DEFAULT_PASSWORD, new_password=NEW_PASSWORD
    )

    profile = bearer(pair["access"]).get(PROFILE)
    assert profile.status_code == 401
    assert profile.json() == error("password_changed", "The user's password has been changed.")
    refresh = api_client.post(REFRESH, {"refresh": pair["refresh"]})
    assert refresh.status_code == 401
    assert refresh.json() == error("password_changed", "The user's password has been changed.")
    new_pair = tokens.token_pair_issue(user=student)
    assert bearer(new_pair["access"]).get(PROFILE).status_code == 200


def test_password_change_api_revokes_earlier_tokens_and_returns_new_ones(
    api_client: APIClient, student: User
) -> None:
    old_pair = tokens.token_pair_issue(user=student)

    response = bearer(old_pair["access"]).post(
        PASSWORD, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)
    assert student.password_changed_at is not None
    assert bearer(old_pair["access"]).get(PROFILE).status_code == 401
    assert api_client.post(REFRESH, {"refresh": old_pair["refresh"]}).status_code == 401
    assert bearer(response.json()["access"]).get(PROFILE).status_code == 200
    assert api_client.post(REFRESH, {"refresh": response.json()["refresh"]}).status_code == 200
    login = api_client.post(LOGIN, {"email": student.email, "password": NEW_PASSWORD})
    assert login.status_code == 200


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        (
            {"old_password": "not-my-password", "new_password": NEW_PASSWORD},
            {"old_password": ["Your current password is not correct."]},
        ),
        (
            {"old_password": DEFAULT_PASSWORD, "new_password": "password"},
            {"new_password": ["This password is too common."]},
        ),
        ({"old_password": DEFAULT_PASSWORD}, {"new_password": ["This field is required."]}),
    ],
)
def test_password_change_refuses_bad_input(
    student_client: APIClient, student: User, payload: dict, fields: dict
) -> None:
    password_hash = student.password

    response = student_client.post(PASSWORD, payload)

    assert response.status_code == 400
    message = next(iter(fields.values()))[0]
    if "required" in message:
        message = f"new_password: {message}"
    assert response.json() == error("validation_error", message, fields)
    student.refresh_from_db()
    assert student.password == password_hash
    assert student_client.get(PROFILE).status_code == 200  # the token still works


def test_password_change_keeps_the_browser_session(student: User) -> None:
    client = APIClient()
    client.force_login(student)

    response = client.post(
        PASSWORD, {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 200
    assert client.get(PROFILE).status_code == 200


def test_refresh_refuses_an_expired_token(api_client: APIClient, student: User) -> None:
    pair = tokens.token_pair_issue(user=student)

    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = api_client.post(REFRESH, {"refresh": pair["refresh"]})

    assert response.status_code == 401
    assert response.json() == error("token_not_valid", "Token is expired")


@pytest.mark.parametrize("which", ["garbage", "access"])
def test_refresh_and_logout_refuse_what_is_not_a_refresh_token(
    api_client: APIClient, student: User, which: str
) -> None:
    pair = tokens.token_pair_issue(user=student)
    value = "not.a.token" if which == "garbage" else pair["access"]
    message = "Token is invalid" if which == "garbage" else "Token has wrong type"

    for url in (REFRESH, LOGOUT):
        response = api_client.post(url, {"refresh": value})
        assert response.status_code == 401
        assert response.json() == error("token_not_valid", message)
    assert not BlacklistedToken.objects.exists()


def test_logout_twice_is_harmless(api_client: APIClient, student: User) -> None:
    refresh = tokens.token_pair_issue(user=student)["refresh"]

    assert api_client.post(LOGOUT, {"refresh": refresh}).status_code == 204
    assert api_client.post(LOGOUT, {"refresh": refresh}).status_code == 204

    assert BlacklistedToken.objects.count() == 1
    assert api_client.post(REFRESH, {"refresh": refresh}).status_code == 401


def test_sign_in_endpoints_are_limited_per_ip(api_client: APIClient, db: None) -> None:
    # A new address each time: the per-account lockout (5 failures) is not what is tested here.
    statuses = [
        api_client.post(
            LOGIN, {"email": f"nobody{n}@example.com", "password": "wrong-password"}
        ).status_code
        for n in range(30)
    ]
    assert statuses == [401] * 30

    response = api_client.post(LOGIN, {"email": "nobody@example.com", "password": "wrong"})

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_refreshes_of_one_token_succeed_once() -> None:
    user = StudentFactory()
    refresh = tokens.token_pair_issue(user=user)["refresh"]
    workers = 20
    barrier = threading.Barrier(workers)

    def attempt(_: int) -> tuple[int, dict]:
        client = APIClient()
        try:
            barrier.wait(timeout=30)
            response = client.post(REFRESH, {"refresh": refresh})
            return response.status_code, response.json()
        finally:
            connections.close_all()  # each thread's own connection

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(attempt, range(workers)))

    assert sorted(status for status, _ in results) == [200] + [401] * (workers - 1)
    refused = [body for status, body in results if status == 401]
    assert refused == [error("token_not_valid", "Token is blacklisted")] * (workers - 1)
    winner = next(body for status, body in results if status == 200)
    assert OutstandingToken.objects.filter(user=user).count() == 2
    assert list(BlacklistedToken.objects.values_list("token__token", flat=True)) == [refresh]
    assert APIClient().post(REFRESH, {"refresh": winner["refresh"]}).status_code == 200


# --- Two-factor authentication ---------------------------------------------------------------


def _totp_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def test_login_with_totp_needs_a_valid_code(api_client: APIClient, student: User) -> None:
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(student, secret)
    credentials = {"email": student.email, "password": DEFAULT_PASSWORD}

    missing = api_client.post(LOGIN, credentials)
    wrong = api_client.post(LOGIN, {**credentials, "otp_code": "000000"})
    right = api_client.post(LOGIN, {**credentials, "otp_code": _totp_code(secret)})

    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "mfa_code_required"
    assert missing.json()["error"]["fields"] == {"otp_code": ["This field is required."]}
    assert wrong.status_code == 401
    assert wrong.json() == error(
        "mfa_code_invalid", "The code is not valid.", {"otp_code": ["The code is not valid."]}
    )
    assert right.status_code == 200
    assert OutstandingToken.objects.filter(user=student).count() == 1


def test_login_locks_the_second_factor_after_five_wrong_codes(
    api_client: APIClient, student: User
) -> None:
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(student, secret)
    credentials = {"email": student.email, "password": DEFAULT_PASSWORD}
    # A stopped clock: the lock's Retry-After counts down in whole seconds.
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(5):
            assert api_client.post(LOGIN, {**credentials, "otp_code": "000000"}).status_code == 401

        response = api_client.post(LOGIN, {**credentials, "otp_code": _totp_code(secret)})

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_attempts"
    assert response["Retry-After"] == "300"
    assert not OutstandingToken.objects.exists()


@pytest.mark.parametrize("factory", [InstructorFactory, AdminFactory])
def test_staff_without_two_factor_cannot_sign_in_to_the_api(
    api_client: APIClient, db: None, factory: type[StudentFactory], settings
) -> None:
    settings.MFA_REQUIRED_FOR_STAFF = True
    user = factory()

    response = api_client.post(LOGIN, {"email": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_setup_required"
    assert not OutstandingToken.objects.exists()

    settings.MFA_REQUIRED_FOR_STAFF = False
    assert (
        api_client.post(LOGIN, {"email": user.email, "password": DEFAULT_PASSWORD}).status_code
        == 200
    )
