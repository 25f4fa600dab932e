"""Security headers, the content security policy, cookie flags and JWT hardening."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.models import User
from accounts.tests.factories import StudentFactory
from gamification.models import LearnerStats

PAGES = ["/", "/api/v1/courses", "/accounts/login/", "/api/v1/no-such-endpoint"]


def _csp(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy") or response.get(
        "Content-Security-Policy-Report-Only"
    )
    assert header, "no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, *values = part.strip().split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Request-ID"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/"])
def test_the_content_security_policy_is_strict(client, path):
    policy = _csp(client.get(path))

    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert not [source for source in policy["script-src"] if source.startswith("http")]


def test_production_enforces_the_policy_and_secure_cookies():
    """The production branch of settings (read from the source: it is chosen at import)."""
    source = (settings.BASE_DIR / "lms" / "settings.py").read_text()
    production = source.split("if IS_PRODUCTION:")
    assert any("CONTENT_SECURITY_POLICY = _CSP_POLICY" in block for block in production[1:])
    assert "SESSION_COOKIE_SECURE = True" in source
    assert "CSRF_COOKIE_SECURE = True" in source
    assert "SECURE_HSTS_SECONDS" in source


def test_cookie_flags():
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE in {"Lax", "Strict"}
    assert settings.CSRF_COOKIE_SAMESITE in {"Lax", "Strict"}


@pytest.mark.django_db
def test_the_csrf_cookie_is_same_site(client):
    response = client.get("/accounts/login/")

    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["samesite"] in {"Lax", "Strict"}


# --- JWT -------------------------------------------------------------------------------------


def _get_profile(token: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get("/api/v1/users/profile")


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
def student(db):
    return StudentFactory()


def test_a_valid_access_token_is_accepted(student):
    assert _get_profile(str(AccessToken.for_user(student))).status_code == 200


def test_an_alg_none_token_is_refused(student):
    claims = AccessToken.for_user(student).payload
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."

    response = _get_profile(token)

    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"token_not_valid", "not_authenticated"}


def test_a_token_signed_with_another_key_is_refused(student):
    claims = dict(AccessToken.for_user(student).payload)
    token = jwt.encode(claims, "another-key-entirely-" * 3, algorithm="HS256")

    assert _get_profile(token).status_code == 401


def test_a_token_with_another_algorithm_is_refused(student):
    claims = dict(AccessToken.for_user(student).payload)
    token = jwt.encode(claims, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS512")

    assert _get_profile(token).status_code == 401


@pytest.mark.parametrize(("claim", "value"), [("aud", "another-api"), ("iss", "someone-else")])
def test_a_token_for_another_audience_or_issuer_is_refused(student, claim, value):
    claims = dict(AccessToken.for_user(student).payload)
    claims[claim] = value
    token = jwt.encode(claims, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256")

    assert _get_profile(token).status_code == 401


def test_an_expired_token_is_refused(student):
    token = AccessToken.for_user(student)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1), lifetime=timedelta(minutes=1))

    assert _get_profile(str(token)).status_code == 401


def test_a_refresh_token_is_not_an_access_token(student):
    assert _get_profile(str(RefreshToken.for_user(student))).status_code == 401


def test_an_access_token_is_not_a_refresh_token(student):
    response = APIClient().post(
        "/api/v1/auth/refresh", {"refresh": str(AccessToken.for_user(student))}, format="json"
    )

    assert response.status_code == 401
    assert set(response.json()) == {"error"}


# --- mass assignment -------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_user_cannot_set_their_own_role_staff_flag_or_xp(student, method):
    client = APIClient()
    client.force_authenticate(student)
    body = {
        "display_name": "Renamed",
        "bio": "",
        "time_zone": "UTC",
        "theme": "light",
        "role": "admin",
        "is_staff": True,
        "is_superuser": True,
        "total_xp": 99999,
        "email": "someone-else@example.com",
    }

    response = getattr(client, method)("/api/v1/users/profile", body, format="json")

    assert response.status_code == 200
    student.refresh_from_db()
    assert student.display_name == "Renamed"
    assert (student.role, student.is_staff, student.is_superuser) == ("student", False, False)
    assert student.email != "someone-else@example.com"
    assert not LearnerStats.objects.filter(user=student, total_xp__gt=0).exists()


def test_registration_cannot_choose_a_role(db):
    response = APIClient().post(
        "/api/v1/auth/register",
        {
            "email": "climber@example.com",
            "password": "a-brand-new-passphrase-77",
            "display_name": "Climber",
            "role": "admin",
            "is_staff": True,
        },
        format="json",
    )

    assert response.status_code == 201
    user = User.objects.get(email="climber@example.com")
    assert (user.role, user.is_staff, user.is_superuser) == ("student", False, False)
