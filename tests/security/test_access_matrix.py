"""The access-control matrix: every API operation, called by every actor, against a declared table.

The operations come from the URL configuration (`discovery.api_operations`), so an endpoint that
is added without a row in `MATRIX` fails `test_every_api_operation_is_declared`: new endpoints
cannot ship unchecked. Each row says what every actor must get:

- a status code (401 anonymous, 403 wrong role, 404 for objects the actor must not even see);
- `OK`: the call is allowed and succeeds (a 2xx).

Object-level checks (IDOR) are in the rows themselves: "student" is a student with no tie to the
world's objects, so another learner's attempt, progress or application must answer 404 or 403.
The body sent with each write is the row's `body` (a valid request), so `OK` means success, not
"got past the permission check and then failed validation".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.security.discovery import Operation, api_operations
from tests.security.world import (
    ACTORS,
    STUDENT,
    World,
    world_build,
)

OK = "ok"

# How each path parameter is filled in from the world. A new parameter name fails loudly.
PARAMS: dict[str, Callable[[World], Any]] = {
    "course_id": lambda w: w.course.pk,
    "lesson_id": lambda w: w.lesson.pk,
    "quiz_id": lambda w: w.quiz.pk,
    "attempt_id": lambda w: w.attempt.pk,
    "user_id": lambda w: w.users[STUDENT].pk,
    "application_id": lambda w: w.application.pk,
    "public_id": lambda w: w.certificate.public_id,
}


def expect(anonymous, student, enrolled, owner, instructor, admin) -> dict[str, Any]:
    return dict(zip(ACTORS, (anonymous, student, enrolled, owner, instructor, admin), strict=True))


@dataclass(frozen=True)
class Rule:
    expected: dict[str, Any]
    body: Callable[[World], dict] | None = None
    why: str = field(default="")


EVERYONE = expect(OK, OK, OK, OK, OK, OK)
SIGNED_IN = expect(401, OK, OK, OK, OK, OK)
ADMINS = expect(401, 403, 403, 403, 403, OK)


def _register(w: World) -> dict:
    return {
        "email": "newcomer@example.com",
        "password": "a-brand-new-passphrase-77",
        "display_name": "Newcomer",
    }


MATRIX: dict[tuple[str, str], Rule] = {
    # --- accounts ---
    ("api:auth-register", "POST"): Rule(EVERYONE, _register, "open sign-up"),
    ("api:auth-login", "POST"): Rule(
        expect(401, 401, 401, 401, 401, 401),
        lambda w: {"email": "nobody@example.com", "password": "wrong-password-1234"},
        "wrong credentials are refused whoever calls",
    ),
    ("api:auth-refresh", "POST"): Rule(
        expect(401, 401, 401, 401, 401, 401),
        lambda w: {"refresh": "not-a-token"},
        "a bad refresh token is refused whoever calls",
    ),
    ("api:auth-logout", "POST"): Rule(
        expect(401, 401, 401, 401, 401, 401),
        lambda w: {"refresh": "not-a-token"},
    ),
    ("api:profile", "GET"): Rule(SIGNED_IN),
    ("api:profile", "PUT"): Rule(
        SIGNED_IN,
        lambda w: {"display_name": "Renamed", "bio": "", "time_zone": "UTC", "theme": "light"},
    ),
    ("api:profile", "PATCH"): Rule(SIGNED_IN, lambda w: {"display_name": "Renamed"}),
    ("api:password-change", "POST"): Rule(
        expect(401, OK, OK, OK, OK, OK),
        lambda w: {
            "old_password": "a-long-test-passphrase-42",
            "new_password": "another-long-passphrase-99",
        },
    ),
    ("api:teacher-applications", "GET"): Rule(SIGNED_IN, why="each sees only their own"),
    ("api:teacher-applications", "POST"): Rule(
        expect(401, OK, 409, 403, 403, 403),
        lambda w: {"expertise": "Statistics", "motivation": "I teach it at work."},
        "students apply once; instructors and admins already teach",
    ),
    ("api:admin-users", "GET"): Rule(ADMINS),
    ("api:admin-user-role", "POST"): Rule(ADMINS, lambda w: {"role": "instructor"}),
    ("api:admin-user-deactivate", "POST"): Rule(ADMINS),
    ("api:admin-teacher-applications", "GET"): Rule(ADMINS),
    ("api:admin-teacher-application-review", "POST"): Rule(ADMINS, lambda w: {"approve": True}),
    # --- courses ---
    ("api:course-list", "GET"): Rule(EVERYONE),
    ("api:course-list", "POST"): Rule(
        expect(401, 403, 403, OK, OK, OK), lambda w: {"title": "A new course"}
    ),
    ("api:course-detail", "GET"): Rule(EVERYONE),
    ("api:course-detail", "PUT"): Rule(
        expect(401, 403, 403, OK, 403, OK), lambda w: {"title": "Replaced title"}
    ),
    ("api:course-detail", "PATCH"): Rule(
        expect(401, 403, 403, OK, 403, OK), lambda w: {"title": "Patched title"}
    ),
    ("api:course-detail", "DELETE"): Rule(
        expect(401, 403, 403, 409, 403, 409), why="the course has a learner: archive instead"
    ),
    ("api:course-enroll", "POST"): Rule(SIGNED_IN),
    ("api:course-progress", "GET"): Rule(
        expect(401, 403, OK, 403, 403, 403), why="progress is the enrolled learner's own"
    ),
    ("api:course-lessons", "GET"): Rule(EVERYONE),
    ("api:lesson-detail", "GET"): Rule(
        expect(403, 403, OK, OK, 403, OK), why="locked until enrolled; authors and admins read"
    ),
    ("api:lesson-complete", "POST"): Rule(expect(401, 403, OK, 403, 403, 403)),
    ("api:lesson-complete", "DELETE"): Rule(expect(401, 403, OK, 403, 403, 403)),
    ("api:lesson-position", "PUT"): Rule(
        expect(401, 403, OK, 403, 403, 403), lambda w: {"position_seconds": 10}
    ),
    ("api:quiz-detail", "GET"): Rule(expect(403, 403, OK, OK, 403, OK)),
    ("api:quiz-attempt-start", "POST"): Rule(
        expect(401, 403, OK, OK, 403, OK), why="the course's authors and admins may try it"
    ),
    ("api:quiz-attempt-detail", "GET"): Rule(
        expect(401, 404, OK, 404, 404, 404), why="attempts are the learner's own"
    ),
    ("api:quiz-attempt-submit", "POST"): Rule(
        expect(401, 404, OK, 404, 404, 404), lambda w: {"answers": {}}
    ),
    ("api:certificate-list", "GET"): Rule(SIGNED_IN, why="each sees only their own"),
    ("api:certificate-verify", "GET"): Rule(EVERYONE, why="public verification"),
}

OPERATIONS = api_operations()


def test_every_api_operation_is_declared():
    discovered = {op.key for op in OPERATIONS}
    missing = sorted(discovered - MATRIX.keys())
    stale = sorted(MATRIX.keys() - discovered)
    assert not missing, (
        "These API operations have no row in tests/security/test_access_matrix.py MATRIX; "
        f"declare who may call them: {missing}"
    )
    assert not stale, f"MATRIX rows for operations that no longer exist: {stale}"


def test_discovery_sees_the_api():
    assert len(OPERATIONS) >= 30
    assert ("api:course-detail", "PATCH") in {op.key for op in OPERATIONS}


def _cases() -> list[Any]:
    return [
        pytest.param(op, actor, id=f"{op.method} {op.name} as {actor}")
        for op in OPERATIONS
        if op.key in MATRIX
        for actor in ACTORS
    ]


def _call(op: Operation, actor: str, world: World) -> Any:
    missing = [p for p in op.params if p not in PARAMS]
    assert not missing, f"Add a PARAMS entry for the path parameter(s) {missing} of {op.route}"
    url = reverse(op.name, kwargs={p: PARAMS[p](world) for p in op.params})
    client = APIClient()
    user = world.users[actor]
    if user is not None:
        client.force_authenticate(user=user)
    rule = MATRIX[op.key]
    body = rule.body(world) if rule.body else None
    return client.generic(
        op.method,
        url,
        data=None if body is None else json.dumps(body),
        content_type="application/json",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("op", "actor"), _cases())
def test_access_matrix(op: Operation, actor: str):
    world = world_build()
    response = _call(op, actor, world)
    wanted = MATRIX[op.key].expected[actor]
    got = response.status_code
    detail = f"{op.method} {op.route} as {actor}: {got} {response.content[:300]!r}"
    assert got < 500, detail
    if wanted == OK:
        assert 200 <= got < 300, detail
    else:
        assert got == wanted, detail
    if got >= 400:
        assert set(response.json()) == {"error"}, detail  # the one error shape
