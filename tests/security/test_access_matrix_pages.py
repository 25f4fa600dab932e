"""The page access-control matrix: every HTML route (and the admin site), called by every actor
with a browser session, against a declared table.

Routes come from the URL configuration (`discovery.html_routes`): a page or form action added
without a row in `PAGES` fails `test_every_page_is_declared`. A row names the method a browser
uses (GET for a page, POST for a form action; a POST-only route also must refuse GET with 405)
and what each actor gets (see tests/security/matrix.py). Object-level checks (IDOR) work as in
the API matrix: the world's personal objects belong to "enrolled".
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.tests.factories import DEFAULT_PASSWORD
from ai_tools.providers import provider_get
from billing.tests.factories import subscribe
from tests.security.discovery import Route, admin_routes, html_routes
from tests.security.matrix import (
    LOGIN,
    OK,
    REDIRECT,
    client_for,
    each_actor,
    expect,
    fill,
    observed,
    verdict,
)
from tests.security.world import ACTORS, World, world_build


@dataclass(frozen=True)
class Page:
    method: str
    expected: dict[str, Any]
    data: dict[str, Any] | None = None
    why: str = ""
    as_json: bool = False


PUBLIC = expect(OK, OK, OK, OK, OK, OK, OK)
MEMBERS = expect(LOGIN, OK, OK, OK, OK, OK, OK)
MEMBERS_REDIRECT = expect(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
ALL_REDIRECT = expect(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
NOT_FOUND = expect(404, 404, 404, 404, 404, 404, 404)


def _get(expected: dict[str, Any], why: str = "") -> Page:
    return Page("GET", expected, why=why)


def _post(expected: dict[str, Any], data: dict[str, Any] | None = None, why: str = "") -> Page:
    return Page("POST", expected, data, why)


PAGES: dict[str, Page] = {
    "account_change_password": _get(MEMBERS),
    "account_confirm_email": _get(PUBLIC),
    "account_confirm_login_code": _get(
        expect(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
    ),
    "account_email": _get(MEMBERS),
    "account_email_verification_sent": _get(PUBLIC),
    "account_inactive": _get(PUBLIC),
    "account_login": _get(expect(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "account_logout": _get(expect(REDIRECT, OK, OK, OK, OK, OK, OK)),
    "account_reauthenticate": _get(MEMBERS),
    "account_reset_password": _get(PUBLIC),
    "account_reset_password_done": _get(PUBLIC),
    "account_reset_password_from_key": _get(PUBLIC),
    "account_reset_password_from_key_done": _get(PUBLIC),
    "account_set_password": _get(
        expect(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
    ),
    "account_signup": _get(expect(OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    "ai_tools:index": _get(MEMBERS),
    "ai_tools:lesson": _get(
        expect(LOGIN, 403, OK, 403, OK, REDIRECT, OK),
        why="AI tools need Pro (student and other have no plan: 403 page naming the plan); the "
        "summary retells the lesson: refused (to the course page) unless it may be opened",
    ),
    "ai_tools:practice": _get(expect(LOGIN, 404, OK, 404, 404, 404, 404)),
    "ai_tools:practice_create": _post(MEMBERS_REDIRECT),
    "ai_tools:skill_gaps": _get(expect(LOGIN, 403, OK, 403, OK, OK, OK), why="Pro and staff"),
    "ai_tools:study_buddy": _get(
        expect(LOGIN, 403, OK, 403, OK, REDIRECT, OK),
        why="Pro and staff; the course's content only for who may open it",
    ),
    "ai_tools:summary_create": _post(MEMBERS_REDIRECT),
    "analytics:metrics": _get(PUBLIC),
    "analytics:nudge": _post(expect(LOGIN, 403, 403, 403, REDIRECT, 404, REDIRECT)),
    "analytics:staff": _get(expect(LOGIN, 403, 403, 403, 403, 403, OK)),
    "analytics:teach": _get(expect(LOGIN, 403, 403, 403, OK, OK, OK)),
    "billing:account": _get(MEMBERS),
    "billing:affiliate": _get(MEMBERS),
    "billing:checkout": _post(MEMBERS_REDIRECT),
    "billing:checkout_cancel": _get(PUBLIC),
    "billing:checkout_success": _get(MEMBERS),
    "billing:portal": _post(MEMBERS_REDIRECT),
    "djstripe:djstripe_webhook_by_uuid": _post(
        expect(400, 400, 400, 400, 400, 400, 400),
        why="dj-stripe's per-endpoint webhook: unsigned, refused before anything is stored",
    ),
    "billing:pricing": _get(PUBLIC),
    "billing:stripe_webhook": _post(
        expect(503, 503, 503, 503, 503, 503, 503),
        why="no webhook secret in tests: refused as not configured (the signature is the auth)",
    ),
    "courses:attempt": _get(expect(LOGIN, 404, OK, 404, 404, 404, 404)),
    "courses:attempt_check": _post(
        expect(LOGIN, 404, REDIRECT, 404, 404, 404, 404),
        why="the learner's own attempt; the world's quiz gives feedback on submit, so the "
        "learner is sent back to the attempt with a message",
    ),
    "courses:lesson_preview": _get(
        expect(LOGIN, 404, 404, 404, OK, 404, OK), why="the course's own staff preview lessons"
    ),
    "courses:review": _post(MEMBERS_REDIRECT, {"rating": "4"}),
    "courses:certificate_download": _get(PUBLIC),
    "courses:certificate_verify": _get(PUBLIC),
    "courses:complete": _get(
        expect(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
    ),
    "courses:dashboard": _get(MEMBERS),
    "courses:detail": _get(PUBLIC),
    "courses:enroll": _post(MEMBERS_REDIRECT),
    "courses:lesson": _get(expect(403, 403, OK, OK, OK, 403, OK)),
    "courses:lesson_complete": _post(MEMBERS_REDIRECT),
    "courses:lesson_position": Page(
        "POST",
        expect(LOGIN, 403, OK, OK, 403, 403, 403),
        {"position_seconds": 10},
        as_json=True,
        why="the player's heartbeat: the enrolled learners' own progress",
    ),
    "courses:lesson_progress": _get(
        MEMBERS, why="the player's outline fragment: the outline is public, ticks are one's own"
    ),
    "courses:lesson_reading": Page(
        "POST",
        expect(LOGIN, 403, OK, OK, 403, 403, 403),
        {"seconds_spent": 10, "reached_end": True},
        as_json=True,
        why="the article reader's heartbeat: the enrolled learners' own progress",
    ),
    "courses:list": _get(PUBLIC),
    "courses:quiz_start": _post(MEMBERS_REDIRECT),
    "gamification:badge-assertion": _get(PUBLIC),
    "gamification:badge-class": _get(PUBLIC),
    "gamification:badge-issuer": _get(PUBLIC),
    "gamification:group-create": _post(MEMBERS_REDIRECT),
    "gamification:group-join": _get(MEMBERS),
    "gamification:group-leave": _post(expect(LOGIN, 404, REDIRECT, 404, 404, 404, 404)),
    "gamification:leaderboard": _get(MEMBERS),
    "gamification:league": _get(MEMBERS),
    "gamification:progress": _get(MEMBERS),
    "gamification:visibility": _post(MEMBERS_REDIRECT),
    "healthz": _get(PUBLIC),
    "home": _get(PUBLIC),
    "learning:challenge": _get(expect(LOGIN, 404, OK, 404, 404, 404, 404)),
    "learning:challenge-start": _post(MEMBERS_REDIRECT),
    "learning:category-challenge-start": _post(MEMBERS_REDIRECT),
    "learning:default-mode": _post(MEMBERS_REDIRECT, {"mode": "relax"}),
    "learning:course-mode": _post(MEMBERS_REDIRECT),
    "learning:preferences": _get(MEMBERS),
    "learning:relax-break": _post(expect(LOGIN, OK, OK, OK, OK, OK, OK)),
    "learning:relax-status": _get(MEMBERS, why="relax mode's break timer: one's own"),
    "learning:review": _get(MEMBERS),
    "learning:review-rate": _post(MEMBERS_REDIRECT),
    "media/<path:path>": _get(expect(404, 404, 404, 404, 404, 404, 404)),
    "mfa_activate_totp": _get(
        expect(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
    ),
    "mfa_authenticate": _get(
        expect(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
    ),
    "mfa_deactivate_totp": _get(expect(LOGIN, 404, 404, 404, REDIRECT, REDIRECT, REDIRECT)),
    "mfa_download_recovery_codes": _get(expect(LOGIN, 404, 404, 404, 404, 404, 404)),
    "mfa_generate_recovery_codes": _get(
        expect(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
    ),
    "mfa_index": _get(MEMBERS),
    "mfa_reauthenticate": _get(expect(LOGIN, REDIRECT, REDIRECT, REDIRECT, OK, OK, OK)),
    "mfa_view_recovery_codes": _get(expect(LOGIN, 404, 404, 404, 404, 404, 404)),
    "notifications:inbox": _get(MEMBERS),
    "notifications:preferences": _get(MEMBERS),
    "notifications:announce": _get(
        expect(LOGIN, 403, 403, 403, OK, OK, OK), why="instructors (their own courses) and admins"
    ),
    "notifications:manifest": _get(PUBLIC),
    "notifications:service-worker": _get(PUBLIC),
    "notifications:offline": _get(PUBLIC),
    "notifications:read": _post(expect(LOGIN, 404, REDIRECT, 404, 404, 404, 404)),
    "notifications:read-all": _post(MEMBERS_REDIRECT),
    "notifications:following": _get(MEMBERS),
    "notifications:instructor-follow": _post(
        MEMBERS_REDIRECT, why="the course's instructor is told they cannot follow themselves"
    ),
    "notifications:instructor-unfollow": _post(MEMBERS_REDIRECT),
    "profile": _get(MEMBERS),
    "privacy": _get(MEMBERS),
    "privacy_export": _get(MEMBERS, why="a download of the caller's own data"),
    "account_delete": _post(
        expect(LOGIN, REDIRECT, 409, REDIRECT, REDIRECT, REDIRECT, 409),
        {"password": DEFAULT_PASSWORD, "confirm": "on"},
        why="deleted and signed out (rolled back per actor); enrolled still has a renewing Pro "
        "plan and admin is the last admin: refused",
    ),
    "qa:answer": _post(MEMBERS_REDIRECT),
    "qa:answer_accept": _post(MEMBERS_REDIRECT),
    "qa:answer_comment": _post(MEMBERS_REDIRECT),
    "qa:answer_delete": _post(MEMBERS_REDIRECT),
    "qa:answer_edit": _get(
        expect(LOGIN, REDIRECT, REDIRECT, OK, REDIRECT, REDIRECT, OK),
        why="the answer's author, admins, and members with 200 reputation (nobody here)",
    ),
    "qa:answer_history": _get(PUBLIC),
    "qa:answer_rate": _post(MEMBERS_REDIRECT),
    "qa:answer_star": _post(MEMBERS_REDIRECT),
    "qa:ask": _get(MEMBERS),
    "qa:bounty": _post(MEMBERS_REDIRECT, {"amount": "20"}),
    "qa:close": _post(MEMBERS_REDIRECT),
    "qa:comment_delete": _post(MEMBERS_REDIRECT),
    "qa:delete": _post(MEMBERS_REDIRECT),
    "qa:detail": _get(PUBLIC),
    "qa:edit": _get(
        expect(LOGIN, REDIRECT, OK, REDIRECT, REDIRECT, REDIRECT, OK),
        why="the asker, admins, and members with 200 reputation (nobody here)",
    ),
    "qa:flag": _post(MEMBERS_REDIRECT),
    "qa:flag_resolve": _post(MEMBERS_REDIRECT),
    "qa:follow": _post(MEMBERS_REDIRECT),
    "qa:following": _get(MEMBERS),
    "qa:history": _get(PUBLIC),
    "qa:list": _get(PUBLIC),
    "qa:moderate": _post(MEMBERS_REDIRECT),
    "qa:moderation": _get(expect(LOGIN, 404, 404, 404, OK, OK, OK)),
    "qa:privileges": _get(PUBLIC),
    "qa:question_comment": _post(MEMBERS_REDIRECT),
    "qa:reopen": _post(MEMBERS_REDIRECT),
    "qa:similar": _get(PUBLIC),
    "qa:user": _get(PUBLIC),
    "readyz": _get(PUBLIC),
    "redoc": _get(PUBLIC),
    "schema": _get(PUBLIC),
    "swagger-ui": _get(PUBLIC),
    "teach": _get(MEMBERS),
    "theme_set": _get(PUBLIC),
}

ROUTES = html_routes()


def test_every_page_is_declared():
    discovered = {route.name for route in ROUTES}
    missing = sorted(discovered - PAGES.keys())
    stale = sorted(PAGES.keys() - discovered)
    assert not missing, (
        "These routes have no row in tests/security/test_access_matrix_pages.py PAGES; "
        f"declare who may open them: {missing}"
    )
    assert not stale, f"PAGES rows for routes that no longer exist: {stale}"


def _url(route: Route, world: World) -> str:
    if route.name == "media/<path:path>":
        return "/media/no-such-file.png"
    return reverse(route.name, kwargs=fill(route.params, world, route.name))


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_page_matrix(route: Route):
    world = world_build()
    page = PAGES.get(route.name, Page("GET", PUBLIC))
    url = _url(route, world)

    def call(actor: str) -> Any:
        client = client_for(world, actor, api=False)
        if page.method == "GET":
            return client.get(url)
        if page.as_json:
            return client.post(url, json.dumps(page.data), content_type="application/json")
        return client.post(url, page.data or {})

    responses = each_actor(world, call)
    if os.environ.get("MATRIX_OBSERVE"):  # a path: write the observed rows there, then stop
        row = ", ".join(repr(observed(responses[a])) for a in ACTORS)
        with open(os.environ["MATRIX_OBSERVE"], "a") as out:
            out.write(f"{route.name!r}: {page.method} expect({row})\n")
        return
    wrong = [
        f"{actor}: wanted {page.expected[actor]!r}, got {responses[actor].status_code} "
        f"{responses[actor].get('Location', '')}"
        for actor in ACTORS
        # A 5xx is a finding unless declared (503: a service this site is not configured for).
        if (
            responses[actor].status_code >= 500
            and responses[actor].status_code != page.expected[actor]
        )
        or not verdict(page.expected[actor], responses[actor])
    ]
    assert not wrong, f"{page.method} {url}:\n  " + "\n  ".join(wrong)
    if page.method == "POST":
        # A form action never changes anything on a GET (a link or an <img> cannot trigger it).
        client = client_for(world, ACTORS[2], api=False)
        assert client.get(url).status_code == 405, f"GET {url} must answer 405"


# --- the Django admin -------------------------------------------------------------------------


def test_every_admin_route_is_covered():
    """Admin routes are the index, each model's views, and the site's own; every one of them
    sits behind `admin.site.admin_view` (staff only), checked below on the index and on every
    registered model's list and add pages."""
    for route in admin_routes():
        assert route.name.startswith("admin:"), route


def _admin_urls() -> list[str]:
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    return urls


# What instructors may open in the admin (their group's permissions; each admin narrows the
# rows to the instructor's own courses). Every other model answers them 403.
INSTRUCTOR_ADMIN_MODELS = {
    "courses.category",
    "courses.tag",
    "courses.skill",
    "courses.course",
    "courses.module",
    "courses.lesson",
    "courses.quiz",
    "courses.question",
    "courses.enrollment",
    "courses.quizattempt",
    "courses.coursereview",
    "qa.category",
    "qa.tag",
    "qa.question",
    "qa.answer",
    "qa.comment",
    "qa.flag",
}
SINGLETON_ADMIN_MODELS = {"gamification.xpsettings"}
ADMIN_INDEX = expect(REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK, OK, OK)


def _admin_urls() -> list[tuple[str, dict[str, Any]]]:
    urls = [(reverse("admin:index"), ADMIN_INDEX)]
    for model in admin.site._registry:
        meta = model._meta
        for_instructors = OK if meta.label_lower in INSTRUCTOR_ADMIN_MODELS else 403
        # A one-row settings model's list goes straight to its one row.
        for_admins = REDIRECT if meta.label_lower in SINGLETON_ADMIN_MODELS else OK
        expected = expect(
            REDIRECT, REDIRECT, REDIRECT, REDIRECT, for_instructors, for_instructors, for_admins
        )
        urls.append((reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"), expected))
    return urls


@pytest.mark.django_db
def test_admin_site_is_for_staff_only():
    """Students and visitors are sent to log in; instructors reach their course models only."""
    world = world_build()
    wrong = []
    for url, expected in _admin_urls():
        responses = each_actor(
            world, lambda actor, url=url: client_for(world, actor, api=False).get(url)
        )
        for actor in ACTORS:
            response = responses[actor]
            if response.status_code >= 500 or not verdict(expected[actor], response):
                wrong.append(
                    f"{url} as {actor}: wanted {expected[actor]!r}, got {response.status_code}"
                )
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_an_instructor_sees_only_their_own_learners_in_the_admin():
    world = world_build()
    learner = str(world.user("enrolled"))
    url = reverse("admin:courses_enrollment_changelist")

    theirs = client_for(world, "owner", api=False).get(url)
    foreign = client_for(world, "instructor", api=False).get(url)

    assert learner in theirs.content.decode()
    assert learner not in foreign.content.decode()


@pytest.mark.django_db
def test_instructors_cannot_read_teacher_applications_in_the_admin():
    """Applications carry applicants' e-mail and motivation: admins review them, nobody else."""
    world = world_build()
    url = reverse("admin:accounts_teacherapplication_change", args=[world.application.pk])

    assert client_for(world, "instructor", api=False).get(url).status_code == 403
    assert client_for(world, "admin", api=False).get(url).status_code == 200


@pytest.mark.django_db
def test_a_lesson_summary_is_not_shown_to_who_may_not_open_the_lesson():
    """The AI tools page showed any signed-in user the summary of any published lesson."""
    world = world_build()
    world.summary.status = "ready"
    world.summary.provider = provider_get().name
    world.summary.summary = "The moon raises two bulges of water."
    world.summary.save()
    url = reverse("ai_tools:lesson", args=[world.lesson.pk])
    subscribe(world.user("student"), "pro")  # the plan opens the tools, not the lesson

    outsider = client_for(world, "student", api=False).get(url, follow=True)
    learner = client_for(world, "enrolled", api=False).get(url)

    assert b"two bulges of water" not in outsider.content
    assert b"Enroll in this course" in outsider.content
    assert b"two bulges of water" in learner.content
