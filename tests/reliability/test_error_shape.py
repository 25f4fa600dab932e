"""Failures answer in the API's error shape, never with a traceback or an HTML page."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from rest_framework.test import APIClient

from accounts.tests.factories import StudentFactory
from courses import selectors


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/v1/courses/-1", "/api/v1/courses/abc/enroll", "/api/v1/no-such-endpoint"]
)
def test_an_unmatched_api_url_answers_the_json_404(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": {}}
    }


@pytest.mark.django_db
def test_an_unmatched_page_url_still_answers_the_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.django_db
def test_a_database_error_in_an_api_view_answers_500_in_the_error_shape(monkeypatch, caplog):
    def database_down(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(selectors, "course_list", database_down)
    client = APIClient()
    client.force_authenticate(StudentFactory())

    response = client.get("/api/v1/courses")

    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "code": "server_error",
            "message": "Something went wrong on our side. It has been logged.",
            "fields": {},
        }
    }
    assert b"Traceback" not in response.content
    assert b"server closed" not in response.content  # nothing internal leaks


@pytest.mark.django_db
def test_an_error_outside_drf_under_api_answers_json_500(client, monkeypatch):
    """A failure in middleware (before DRF's handler) still answers in the shape, no traceback."""
    from accounts.middleware import RequireStaffMfaMiddleware

    client.raise_request_exception = False

    def broken(self, request):
        raise OperationalError("connection refused")

    monkeypatch.setattr(RequireStaffMfaMiddleware, "__call__", broken)

    response = client.get("/api/v1/courses")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
