"""Request ids: in the `X-Request-ID` header of every response and on every log line."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest

from core.logging import JsonFormatter, RequestIdFilter
from core.request_id import request_id_var

pytestmark = pytest.mark.urls("core.tests.urls")

_GENERATED = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture
def json_log() -> io.StringIO:
    """Capture log lines exactly as production writes them: JSON, through the request id filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("lumen.tests")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


def test_each_response_gets_a_fresh_request_id(client):
    first = client.get("/healthz")
    second = client.get("/healthz")

    assert _GENERATED.match(first.headers["X-Request-ID"])
    assert _GENERATED.match(second.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_a_valid_incoming_request_id_is_echoed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-2026.01_abcdef")

    assert response.headers["X-Request-ID"] == "lb-2026.01_abcdef"


@pytest.mark.parametrize(
    "incoming",
    [
        "short",  # fewer than 8 characters
        "x" * 129,  # longer than 128
        "has spaces in it",
        "evil\r\nSet-Cookie:x",  # header injection
        "<script>alert(1)</script>",
        "",
    ],
)
def test_a_malformed_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)

    assert _GENERATED.match(response.headers["X-Request-ID"])


def test_error_responses_carry_the_request_id_too(client):
    response = client.get("/no-such-page", HTTP_X_REQUEST_ID="trace-404-abcdef")

    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "trace-404-abcdef"


@pytest.mark.django_db
def test_a_json_log_line_written_during_a_request_carries_its_id(client, json_log):
    response = client.get("/test-api/echo", HTTP_X_REQUEST_ID="trace-log-line-1")

    assert response.status_code == 200
    [line] = json_log.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["request_id"] == "trace-log-line-1"
    assert entry["message"] == "echo served"
    assert entry["level"] == "info"
    assert entry["logger"] == "lumen.tests"
    assert entry["path"] == "/test-api/echo"  # `extra` fields become keys
    assert entry["timestamp"].endswith("+00:00")


def test_log_lines_outside_a_request_say_so(json_log):
    logging.getLogger("lumen.tests").info("from a task")

    entry = json.loads(json_log.getvalue())
    assert entry["request_id"] == "-"
    assert request_id_var.get() == "-"


def test_the_request_id_does_not_leak_into_the_next_request(client):
    client.get("/healthz", HTTP_X_REQUEST_ID="trace-first-0001")

    assert request_id_var.get() == "-"


def test_django_request_log_lines_for_server_errors_carry_the_request_id(client, caplog):
    # Django logs 5xx responses ("django.request") after the middleware has finished.
    caplog.handler.addFilter(RequestIdFilter())

    with caplog.at_level(logging.ERROR, logger="django.request"):
        client.get("/test-api/broken", HTTP_X_REQUEST_ID="trace-server-error-1")

    [record] = [r for r in caplog.records if r.name == "django.request"]
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "Internal Server Error: /test-api/broken"
    assert entry["request_id"] == "trace-server-error-1"
    assert entry["status_code"] == 500


@pytest.mark.django_db
def test_log_lines_carry_the_signed_in_users_id_whether_by_session_or_token(client, json_log):
    from django.contrib.auth import get_user_model
    from rest_framework_simplejwt.tokens import AccessToken

    users = get_user_model().objects
    by_session = users.create_user(email="session@example.com", password="x-long-password-1")
    by_token = users.create_user(email="token@example.com", password="x-long-password-2")
    client.force_login(by_session)
    client.get("/test-api/echo")
    client.logout()
    client.get("/test-api/echo", HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(by_token)}")
    client.get("/test-api/echo")

    users = [json.loads(line)["user_id"] for line in json_log.getvalue().splitlines()]
    assert users == [by_session.pk, by_token.pk, None]


def test_log_lines_outside_a_request_have_no_user(json_log):
    logging.getLogger("lumen.tests").info("from a task")

    assert json.loads(json_log.getvalue())["user_id"] is None
