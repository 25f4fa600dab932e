"""Shared pieces of the access-control matrices: expectations, path parameters, one call.

An expectation per actor is one of:
- `OK`: allowed and successful (2xx);
- `LOGIN`: an HTML page that sends the visitor to the login page (302 to /accounts/login/);
- `REDIRECT`: an HTML action that answers with a redirect elsewhere (its message says why);
- an exact status code (401 anonymous, 403 wrong role, 404 an object the actor may not even see,
  405 a method the route does not take, 409/400 a business rule).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from tests.security.world import ACTORS, ENROLLED, OWNER, STUDENT, World

OK = "ok"
LOGIN = "login"
REDIRECT = "redirect"


def expect(
    anonymous: Any,
    student: Any,
    enrolled: Any,
    other: Any,
    owner: Any,
    instructor: Any,
    admin: Any,
) -> dict[str, Any]:
    """Expectations in ACTORS order: anonymous, student, enrolled, other, owner, instructor,
    admin."""
    values = (anonymous, student, enrolled, other, owner, instructor, admin)
    return dict(zip(ACTORS, values, strict=True))


@dataclass(frozen=True)
class Rule:
    expected: dict[str, Any]
    body: Callable[[World], dict[str, Any]] | None = None
    query: Callable[[World], dict[str, Any]] | None = None
    why: str = field(default="")


# How each path parameter is filled in from the world. A new parameter name fails loudly.
PARAMS: dict[str, Callable[[World], Any]] = {
    "course_id": lambda w: w.course.pk,
    "lesson_id": lambda w: w.lesson.pk,
    "quiz_id": lambda w: w.quiz.pk,
    "attempt_id": lambda w: w.attempt.pk,
    "user_id": lambda w: w.user(STUDENT).pk,
    "application_id": lambda w: w.application.pk,
    "public_id": lambda w: w.certificate.public_id,
    "summary_id": lambda w: w.summary.pk,
    "practice_set_id": lambda w: w.practice_set.pk,
    "conversation_id": lambda w: w.conversation.pk,
    "card_id": lambda w: w.card.pk,
    "run_id": lambda w: w.run.pk,
    "notification_id": lambda w: w.notification.pk,
    "instructor_id": lambda w: w.user(OWNER).pk,
    "question_id": lambda w: w.question.pk,
    "answer_id": lambda w: w.answer.pk,
    "comment_id": lambda w: w.comment.pk,
    "flag_id": lambda w: w.flag.pk,
    "enrollment_id": lambda w: w.enrollment.pk,
    "group_id": lambda w: w.group.pk,
    "invite_code": lambda w: w.group.invite_code,
    "slug": lambda w: w.course.slug,
    "course_slug": lambda w: w.course.slug,
    "code": lambda w: w.achievement.code,
    "assertion_id": lambda w: w.achievement.assertion_id,
    "kind": lambda w: "answer",
    "post_id": lambda w: w.answer.pk,
    # allauth's e-mail confirmation and password reset links: a made-up (invalid) key.
    "key": lambda w: "not-a-valid-key",
    "uidb36": lambda w: "zz",
    # dj-stripe's per-endpoint webhook: an endpoint id nobody configured.
    "uuid": lambda w: "00000000-0000-4000-8000-000000000000",
}


# Where one route's parameter means something else than elsewhere (route name -> parameters).
ROUTE_PARAMS: dict[str, dict[str, Callable[[World], Any]]] = {
    "api:notifications-preference": {"kind": lambda w: "answer_posted"},
    "api:qa-category-follow": {"slug": lambda w: w.qa_category.slug},
    "learning:category-challenge-start": {"slug": lambda w: w.course.category.slug},
    # A question of the quiz (not of the Q&A board) in the enrolled learner's attempt.
    "api:quiz-attempt-question-check": {"question_id": lambda w: w.quiz.questions.first().pk},
    "courses:attempt_check": {"question_id": lambda w: w.quiz.questions.first().pk},
}


def fill(params: tuple[str, ...], world: World, name: str = "") -> dict[str, Any]:
    own = ROUTE_PARAMS.get(name, {})
    missing = [p for p in params if p not in PARAMS and p not in own]
    assert not missing, f"Add a PARAMS entry (tests/security/matrix.py) for {missing}"
    values = {p: (own.get(p) or PARAMS[p])(world) for p in params}
    return {k: str(v) if isinstance(v, UUID) else v for k, v in values.items()}


def client_for(world: World, actor: str, *, api: bool) -> Client:
    client: Client = APIClient() if api else Client()
    user = world.users[actor]
    if user is not None:
        if api:
            client.force_authenticate(user=user)  # type: ignore[attr-defined]
        else:
            client.force_login(user)
    return client


def verdict(wanted: Any, response: Any) -> bool:
    got = response.status_code
    if wanted == OK:
        return 200 <= got < 300
    if wanted == LOGIN:
        return got == 302 and response["Location"].startswith("/accounts/login/")
    if wanted == REDIRECT:
        return got == 302 and not response["Location"].startswith("/accounts/login/")
    return got == wanted


def observed(response: Any) -> Any:
    """The expectation a response meets (for the failure message and for writing new rows)."""
    got = response.status_code
    if 200 <= got < 300:
        return OK
    if got == 302:
        return LOGIN if response["Location"].startswith("/accounts/login/") else REDIRECT
    return got


def each_actor(world: World, call: Callable[[str], Any]) -> dict[str, Any]:
    """Call once per actor, each inside a transaction rolled back afterwards, so one actor's
    write (an enrollment, a deleted question) never changes what the next one meets."""
    responses = {}
    for actor in ACTORS:
        with transaction.atomic():
            responses[actor] = call(actor)
            transaction.set_rollback(True)
    return responses


__all__ = ["ENROLLED", "LOGIN", "OK", "REDIRECT", "Rule", "each_actor", "expect", "fill"]
