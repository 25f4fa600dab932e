"""CSRF on every form: each HTML route (from the URL configuration, as in the page matrix) and each
session-authenticated API write refuses a signed-in browser's POST that carries no CSRF token.

A refusal is recognised by its cause, not only its status: the CSRF failure view is replaced by
one that answers 403 with a marker, so a 403 for another reason (a role check) does not count.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tests.security.discovery import api_operations, html_routes
from tests.security.matrix import fill
from tests.security.world import ADMIN, ENROLLED, OWNER, World, world_build

MARKER = b"refused-by-csrf-check"

# Routes that take POSTs from other sites by design, authenticated another way.
EXEMPT = {
    "billing:stripe_webhook": "Stripe's signed webhook (the signature is the authentication)",
    "djstripe:djstripe_webhook_by_uuid": "dj-stripe's signed webhook",
}
# API operations that never read the session (no cookie, so nothing to forge): signing in and
# out with tokens in the body, and Stripe's webhook.
API_WITHOUT_SESSION = {
    "api:auth-register",
    "api:auth-login",
    "api:auth-refresh",
    "api:auth-logout",
}


def csrf_refused(request: HttpRequest, reason: str = "") -> HttpResponse:
    return HttpResponse(MARKER, status=403)


@pytest.fixture
def world(settings) -> World:
    settings.CSRF_FAILURE_VIEW = "tests.security.test_csrf.csrf_refused"
    return world_build()


def _refused_for_csrf(response: Any) -> bool:
    """Django's CSRF check (the marker), or DRF's for its own views (the schema and the docs
    pages: Django leaves them to DRF, whose session authentication checks the token; the reason
    is in the response's data, whatever format renders it). DRF views other than the upload
    endpoints read JSON only, so a form's POST is refused as 415 before the check reads the form:
    a forged form cannot send JSON, so that refusal is as safe."""
    if response.status_code == 415:
        return response.wsgi_request.path.startswith("/api/")
    if response.status_code != 403:
        return False
    return response.content == MARKER or "CSRF Failed" in str(getattr(response, "data", ""))


def _url(route: Any, world: World) -> str:
    if route.name == "media/<path:path>":
        return "/media/no-such-file.png"
    return reverse(route.name, kwargs=fill(route.params, world, route.name))


def test_the_exempt_list_names_real_routes() -> None:
    names = {route.name for route in html_routes()}
    assert set(EXEMPT) <= names
    assert {op.name for op in api_operations()} >= API_WITHOUT_SESSION


@pytest.mark.django_db
@pytest.mark.parametrize("actor", [ENROLLED, OWNER, ADMIN])
def test_every_html_route_refuses_a_post_without_a_csrf_token(world: World, actor: str) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user(actor))
    wrong = []
    for route in html_routes():
        if route.name in EXEMPT:
            continue
        url = _url(route, world)
        response = client.post(url, {"theme": "dark", "next": "/"})
        if not _refused_for_csrf(response):
            wrong.append(f"{route.name} {url}: {response.status_code} {response.content[:120]!r}")
    assert not wrong, "POST without a CSRF token was not refused by the CSRF check:\n" + "\n".join(
        wrong
    )


@pytest.mark.django_db
def test_a_json_post_without_a_token_is_refused_too(world: World) -> None:
    """The player's heartbeat posts JSON; htmx sends the token in a header, a forger cannot."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user(ENROLLED))
    url = reverse("courses:lesson_position", kwargs={"lesson_id": world.lesson.pk})

    response = client.post(url, json.dumps({"position_seconds": 10}), "application/json")

    assert (response.status_code, response.content) == (403, MARKER)


@pytest.mark.django_db
def test_a_form_post_with_the_token_goes_through(world: World) -> None:
    """The check is the token: the same POST with it is not refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user(ENROLLED))
    client.get(reverse("profile"))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    response = client.post(reverse("theme_set"), {"theme": "dark", "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    world.user(ENROLLED).refresh_from_db()
    assert world.user(ENROLLED).theme == "dark"


@pytest.mark.django_db
def test_session_authenticated_api_writes_need_the_csrf_token(world: World) -> None:
    """DRF checks CSRF for callers signed in by the session cookie (the browser's htmx calls):
    every write refuses them without a token, before any permission or validation."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.user(ENROLLED))
    wrong = []
    for op in api_operations():
        if op.method not in {"POST", "PUT", "PATCH", "DELETE"} or op.name in API_WITHOUT_SESSION:
            continue
        url = reverse(op.name, kwargs=fill(op.params, world, op.name))
        response = client.generic(op.method, url, "{}", content_type="application/json")
        body = (
            response.json()
            if response.get("Content-Type", "").startswith("application/json")
            else {}
        )
        message = body.get("error", {}).get("message", "")
        if response.status_code != 403 or not message.startswith("CSRF Failed"):
            wrong.append(f"{op.method} {url}: {response.status_code} {message[:60]}")
    assert not wrong, "\n".join(wrong)
