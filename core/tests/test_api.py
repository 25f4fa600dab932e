"""The API's one error shape: every 4xx/5xx is {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

import json
import logging

import pytest

from core.logging import JsonFormatter, RequestIdFilter

pytestmark = [pytest.mark.urls("core.tests.urls"), pytest.mark.django_db]


def test_invalid_input_is_a_400_naming_each_field(api_client):
    response = api_client.post(
        "/test-api/echo", {"email": "not-an-email", "age": -1}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "validation_error",
            "message": "email: Enter a valid email address.",
            "fields": {
                "email": ["Enter a valid email address."],
                "age": ["Ensure this value is greater than or equal to 0."],
            },
        }
    }


def test_malformed_json_is_a_400_with_the_shape(api_client):
    response = api_client.post("/test-api/echo", data="{not json", content_type="application/json")

    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "parse_error"
    assert body["error"]["message"].startswith("JSON parse error")
    assert body["error"]["fields"] == {}


def test_application_error_keeps_its_status_code_and_extra(api_client):
    response = api_client.post("/test-api/rule", {}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "slot_taken",
            "message": "That slot is taken.",
            "fields": {},
            "extra": {"slot": 3},
        }
    }


def test_anonymous_caller_gets_401_with_the_shape(api_client):
    response = api_client.get("/test-api/private")

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "fields": {},
        }
    }
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_garbage_bearer_token_gets_401_with_the_shape(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")

    response = api_client.get("/test-api/private")

    assert response.status_code == 401
    body = response.json()
    assert body["error"]["code"] == "token_not_valid"
    assert body["error"]["fields"] == {}


def test_wrong_role_gets_403_with_the_shape(api_client, student):
    api_client.force_authenticate(student)

    response = api_client.get("/test-api/admin-only")

    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "permission_denied",
            "message": "This endpoint is for administrators.",
            "fields": {},
        }
    }


def test_missing_object_is_a_404_with_the_shape(api_client):
    response = api_client.get("/test-api/missing")

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": {}}
    }


def test_unsupported_method_is_a_405_with_the_shape(api_client):
    response = api_client.delete("/test-api/echo")

    assert response.status_code == 405
    assert response.json() == {
        "error": {
            "code": "method_not_allowed",
            "message": 'Method "DELETE" not allowed.',
            "fields": {},
        }
    }


def test_throttled_caller_gets_429_with_the_shape_and_retry_after(api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "100/min", "anon": "2/min"},
    }
    for _ in range(2):
        assert api_client.get("/test-api/echo").status_code == 200

    response = api_client.get("/test-api/echo")

    assert response.status_code == 429
    seconds = int(response.headers["Retry-After"])
    assert 55 <= seconds <= 60  # what is left of the window opened by the first request
    assert response.json() == {
        "error": {
            "code": "throttled",
            "message": f"Request was throttled. Expected available in {seconds} seconds.",
            "fields": {},
        }
    }


def test_unexpected_exception_is_a_500_with_the_shape_and_a_logged_request_id(api_client, caplog):
    caplog.handler.addFilter(RequestIdFilter())  # the filter our log handler carries

    with caplog.at_level(logging.ERROR, logger="lumen.api"):
        response = api_client.get("/test-api/broken", HTTP_X_REQUEST_ID="trace-0123456789")

    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "code": "server_error",
            "message": "Something went wrong on our side. It has been logged.",
            "fields": {},
        }
    }
    assert response.headers["X-Request-ID"] == "trace-0123456789"
    [record] = [r for r in caplog.records if r.name == "lumen.api"]
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "error"
    assert line["message"] == "Unhandled API error"
    assert line["request_id"] == "trace-0123456789"
    assert "RuntimeError: the database said something rude" in line["exception"]
    # The body never leaks the exception's text.
    assert "rude" not in response.content.decode()
