"""Query budgets: every GET page and GET API endpoint, counted on a small and a grown world.

Endpoints come from the URL configuration, exactly as in the access-control matrices
(tests/security/discovery.py): every HTML route the page matrix opens with GET and every GET
operation of /api/v1/. A route without a row in `BUDGETS` (or a reasoned entry in `EXCLUDED`)
fails `test_every_get_endpoint_has_a_budget`, so a new page or list cannot ship uncounted. The
Django admin's changelists (lists too) are counted as the admin against one shared budget.

How it counts. The security suites' world (tests/security/world.py) is grown once by
`world_grow(copies=1)`, so every list already shows at least one row (an empty list may skip a
query, which is not an N+1), then each endpoint is requested once to warm process-level caches
(content types, templates), then counted: the "small" count. The world then grows by three more
rows per related table (courses with their own instructors, categories and tags, lessons, quizzes,
enrollments, progress, ratings, certificates, follows, notifications, XP rows, conversations,
practice sets, review cards, achievements, study-group members, questions, answers, comments)
and each endpoint is counted again. The test fails if any count grows, if a count exceeds its
written budget, or if the response status changes with the data (or is a 5xx).

Each request runs in a transaction rolled back afterwards (as the matrices do), so a GET with
side effects (a view counter, a first-visit row) meets the same world each time. The cache is
cleared before every counted request: counts are of the cold path, which includes the queries a
cached fragment or queryset saves, so caching can never hide an N+1 (a warm second request could
only be cheaper). Sessions live in the database under SQLite and in Redis under PostgreSQL with
REDIS_URL (lms/settings.py), so the same page may count one or two fewer queries there: budgets
are maxima, and the growth check compares the same backend with itself. Every count also
checks that the request was served to the actor it is written for (signed in or not): clearing a
Redis cache after signing in would otherwise count signed-in pages as anonymous ones.

Runs on SQLite (the default) and on PostgreSQL with Redis (DATABASE_URL, REDIS_URL); about 55 s
for the counting itself on an idle 2-core machine (about 450 requests and two world growths).

Budgets are written for the production configuration, where a session lives in Redis and
costs no query. Under SQLite (the embedded default) a session is a database row: a signed-in
HTML page counts one query more there, and `SESSION_LOOKUP` adds it to the budget (API calls
sign in with a JWT and have no session). The budgets are the counts measured when they were
last lowered (the tightest written limit that passes); none of them grows with the data.

The issue (#12, item 4) asks for catalog <= 4, course page <= 6, dashboard <= 8 and lesson page
<= 6. What the pages read about the signed-in user (the bell's unread count, the learning mode,
the plan in force, XP and streaks, a staff member's two-factor check) is loaded with the user in
one query (settings.REQUEST_USER_LOADERS). What the course and lesson pages read about their
viewer (the enrollment, a running exam, the course's mode, whether they teach it, whom of the
instructors they follow, each lesson's progress) is joined to the course's, the instructors' and
the lessons' own queries (courses.selectors.course_get_for_learner, settings.COURSE_VIEWER_LOADERS
and COURSE_INSTRUCTOR_LOADERS). The catalog's facets are one grouped query and its page carries
its own total (core.pagination.page_with_total). Where the pages stand:

- catalog (`courses:list`): anonymous 3, signed in 4: met. The catalog API is 4.
- course page (`courses:detail`): anonymous 6: met; enrolled 7 (issue: 6): the user, the course
  (with the enrollment), instructors, modules, lessons (with the progress), tags, and the newest
  reviews with the learner's own.
- dashboard (`courses:dashboard`): 8: met. Enrollments (with their courses), certificates, the
  revision stats (cards and their logs, one query), the week's learning time, skill gaps (quiz
  results and review ratings) and completed lessons.
- lesson page (`courses:lesson`): the course's instructor 4: met; enrolled 8 on a first visit
  (issue: 6): the user, the course, modules, lessons, and a first visit's writes (the progress
  row, one INSERT in its savepoint, and the enrollment's resume point). Reopening a lesson writes
  nothing and reads 4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.performance.growth import world_grow
from tests.security.discovery import api_operations, html_routes
from tests.security.matrix import client_for, fill
from tests.security.test_access_matrix_api import MATRIX
from tests.security.test_access_matrix_pages import PAGES, SINGLETON_ADMIN_MODELS
from tests.security.world import ADMIN, ANON, ENROLLED, OWNER, World, world_build

# Route name -> {actor: the most queries one GET may make}. The actor is the one who sees the
# most of the world: the enrolled learner owns every personal object; staff pages are counted as
# the course's instructor (OWNER) or the admin. Main pages are counted for two actors.
BUDGETS: dict[str, dict[str, int]] = {
    "home": {ANON: 0, ENROLLED: 1},
    "healthz": {ANON: 0},  # bypasses sessions and authentication
    "readyz": {ANON: 1},  # bypasses sessions and authentication
    "account_login": {ANON: 0},
    "account_logout": {ENROLLED: 1},
    "account_inactive": {ENROLLED: 1},
    "account_signup": {ANON: 0},
    "account_reauthenticate": {ENROLLED: 7},
    "account_email": {ENROLLED: 7},
    "account_email_verification_sent": {ENROLLED: 1},
    "account_change_password": {ENROLLED: 1},
    "account_set_password": {ENROLLED: 1},
    "account_reset_password": {ENROLLED: 1},
    "account_confirm_login_code": {ENROLLED: 1},
    "account_confirm_email": {ENROLLED: 1},
    "account_reset_password_from_key_done": {ENROLLED: 1},
    "account_reset_password_from_key": {ENROLLED: 2},
    "account_reset_password_done": {ENROLLED: 1},
    "mfa_index": {ENROLLED: 3},
    "mfa_authenticate": {ENROLLED: 1},
    "mfa_reauthenticate": {OWNER: 7},
    "mfa_activate_totp": {ENROLLED: 8},
    "mfa_deactivate_totp": {ENROLLED: 2},
    "mfa_view_recovery_codes": {ENROLLED: 2},
    "mfa_generate_recovery_codes": {ENROLLED: 7},
    "mfa_download_recovery_codes": {ENROLLED: 2},
    "profile": {ENROLLED: 2},
    "theme_set": {ENROLLED: 1},
    "teach": {ENROLLED: 2},
    "privacy": {ENROLLED: 1},
    "privacy_export": {ENROLLED: 47},
    "courses:list": {ANON: 3, ENROLLED: 4},  # catalog (issue: 4)
    "courses:detail": {ANON: 6, ENROLLED: 7},  # course page (issue: 6)
    "courses:complete": {ENROLLED: 5},
    "courses:lesson": {ENROLLED: 8, OWNER: 4},  # lesson page (issue: 6)
    "courses:lesson_preview": {OWNER: 4},
    "courses:lesson_progress": {ENROLLED: 4},
    "courses:attempt": {ENROLLED: 12},
    "courses:dashboard": {ENROLLED: 8},  # dashboard (issue: 8)
    "courses:certificate_verify": {ENROLLED: 2},
    "courses:certificate_download": {ENROLLED: 2},
    "gamification:progress": {ENROLLED: 18},
    "gamification:leaderboard": {ENROLLED: 7},
    "gamification:league": {ENROLLED: 3},
    "gamification:group-join": {ENROLLED: 2},
    "gamification:badge-issuer": {ENROLLED: 1},
    "gamification:badge-class": {ENROLLED: 1},
    "gamification:badge-assertion": {ENROLLED: 2},
    "learning:review": {ENROLLED: 6},
    "learning:preferences": {ENROLLED: 5},
    "learning:relax-status": {ENROLLED: 2},
    "learning:challenge": {ENROLLED: 5},
    "notifications:inbox": {ENROLLED: 3},
    "notifications:preferences": {ENROLLED: 2},
    "notifications:announce": {OWNER: 4},
    "notifications:following": {ENROLLED: 3},
    "notifications:manifest": {ENROLLED: 1},
    "notifications:service-worker": {ENROLLED: 1},
    "notifications:offline": {ENROLLED: 1},
    "qa:list": {ANON: 6, ENROLLED: 8},
    "qa:ask": {ENROLLED: 3},
    "qa:similar": {ENROLLED: 1},
    "qa:privileges": {ENROLLED: 2},
    "qa:following": {ENROLLED: 4},
    "qa:moderation": {OWNER: 2},
    "qa:user": {ENROLLED: 7},
    "qa:detail": {ENROLLED: 12},
    "qa:edit": {ENROLLED: 4},
    "qa:history": {ENROLLED: 4},
    "qa:answer_edit": {ADMIN: 3},
    "qa:answer_history": {ENROLLED: 3},
    "billing:pricing": {ENROLLED: 4},
    "billing:checkout_success": {ENROLLED: 1},
    "billing:checkout_cancel": {ENROLLED: 1},
    "billing:account": {ENROLLED: 4},
    "billing:affiliate": {ENROLLED: 5},
    "ai_tools:index": {ENROLLED: 9},
    "ai_tools:lesson": {ENROLLED: 8},
    "ai_tools:practice": {ENROLLED: 2},
    "ai_tools:study_buddy": {ENROLLED: 7},
    "ai_tools:skill_gaps": {ENROLLED: 4},
    "analytics:teach": {OWNER: 16},  # + revenue and instructor performance sections
    "analytics:staff": {ADMIN: 16},  # + MRR, revenue and instructor performance
    "analytics:metrics": {ENROLLED: 1},
    "schema": {ENROLLED: 1},
    "swagger-ui": {ENROLLED: 1},
    "redoc": {ENROLLED: 1},
    "media/<path:path>": {ENROLLED: 1},
    "api:profile": {ENROLLED: 2},
    "api:user-data-export": {ENROLLED: 46},
    "api:teacher-applications": {ENROLLED: 2},
    "api:admin-users": {ADMIN: 2},
    "api:admin-teacher-applications": {ADMIN: 2},
    "api:course-list": {ANON: 4, ENROLLED: 4},  # the catalog API
    "api:course-detail": {ENROLLED: 3},
    "api:course-reviews": {ENROLLED: 5},
    "api:course-progress": {ENROLLED: 7},
    "api:course-lessons": {ENROLLED: 6},
    "api:lesson-detail": {ENROLLED: 7},
    "api:quiz-detail": {ENROLLED: 7},
    "api:quiz-attempt-detail": {ENROLLED: 4},
    "api:certificate-list": {ENROLLED: 2},
    "api:certificate-verify": {ENROLLED: 1},
    "api:gamification-leaderboard": {ENROLLED: 4},
    "api:gamification-achievements": {ENROLLED: 11},
    "api:gamification-league": {ENROLLED: 3},
    "api:gamification-stats": {ENROLLED: 6},
    "api:reviews-due": {ENROLLED: 2},
    "api:reviews-stats": {ENROLLED: 1},
    "api:learning-preferences": {ENROLLED: 4},
    "api:challenges-leaderboard": {ENROLLED: 2},
    "api:challenges-detail": {ENROLLED: 3},
    "api:notifications-list": {ENROLLED: 2},
    "api:notifications-preferences": {ENROLLED: 1},
    "api:notifications-push-key": {ENROLLED: 0},
    "api:instructors-following": {ENROLLED: 2},
    "api:qa-question-list": {ENROLLED: 3},
    "api:qa-question-similar": {ENROLLED: 2},
    "api:qa-question-detail": {ENROLLED: 6},
    "api:qa-question-bounty": {ENROLLED: 4},
    "api:qa-answer-detail": {ENROLLED: 4},
    "api:qa-category-list": {ENROLLED: 1},
    "api:qa-following": {ENROLLED: 2},
    "api:qa-question-revisions": {ENROLLED: 3},
    "api:qa-answer-revisions": {ENROLLED: 2},
    "api:qa-flag-list": {OWNER: 2},
    "api:billing-plans": {ENROLLED: 1},
    "api:billing-subscription": {ENROLLED: 1},
    "api:billing-entitlements": {ENROLLED: 3},
    "api:billing-affiliate": {ENROLLED: 3},
    "api:billing-revenue": {ADMIN: 7},
    "api:ai-summary": {ENROLLED: 7},
    "api:ai-practice-sets": {ENROLLED: 2},
    "api:ai-practice-set": {ENROLLED: 1},
    "api:ai-conversations": {ENROLLED: 5},
    "api:ai-conversation-messages": {ENROLLED: 2},
    "api:ai-usage": {ENROLLED: 3},
    "api:analytics-course-summary": {OWNER: 14},  # + revenue and performance
    "api:analytics-course-at-risk": {OWNER: 3},
    "api:analytics-platform-summary": {ADMIN: 12},  # + MRR and revenue
    "api:analytics-me": {ENROLLED: 3},
    "api:analytics-me-data": {ENROLLED: 2},
}

# Route name -> why it is not counted. Nothing is excluded today: every GET page (redirects and
# refusals included: they still run middleware and session queries) is counted.
EXCLUDED: dict[str, str] = {}

# Every changelist of the Django admin, as the admin (50 rows a page, list_display relations).
ADMIN_CHANGELIST_BUDGET = 7

# The session's own query under the database session engine (SQLite's embedded default); none
# with Redis sessions, the production configuration the budgets are written for.
SESSION_LOOKUP = 1 if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db" else 0
MAIN_PAGES = ("courses:list", "courses:detail", "courses:dashboard", "courses:lesson")


@dataclass(frozen=True)
class Target:
    name: str
    url: str
    actor: str
    api: bool
    budget: int

    @property
    def allowed(self) -> int:
        """The budget, plus the session's query where sessions live in the database."""
        signed_in_page = not self.api and self.actor != ANON
        return self.budget + (SESSION_LOOKUP if signed_in_page else 0)


def _discovered() -> dict[str, tuple[bool, tuple[str, ...]]]:
    """Every GET page and GET API operation: route name -> (is API, path parameters)."""
    found = {r.name: (False, r.params) for r in html_routes() if PAGES[r.name].method == "GET"}
    found.update({op.name: (True, op.params) for op in api_operations() if op.method == "GET"})
    return found


DISCOVERED = _discovered()


def _url(name: str, params: tuple[str, ...], world: World) -> str:
    if name == "media/<path:path>":
        return "/media/no-such-file.png"
    url = reverse(name, kwargs=fill(params, world, name))
    rule = MATRIX.get((name, "GET"))
    if rule is not None and rule.query:
        url += "?" + "&".join(f"{k}={v}" for k, v in rule.query(world).items())
    return url


def _targets(world: World) -> list[Target]:
    targets = [
        Target(name, _url(name, params, world), actor, api, budget)
        for name, (api, params) in DISCOVERED.items()
        if name not in EXCLUDED
        for actor, budget in BUDGETS[name].items()
    ]
    for model in admin.site._registry:
        meta = model._meta
        if meta.label_lower in SINGLETON_ADMIN_MODELS:
            continue  # a one-row settings model: its "list" redirects to its one row
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        targets.append(
            Target(f"admin:{meta.label_lower}", url, ADMIN, False, ADMIN_CHANGELIST_BUDGET)
        )
    return targets


def _count(world: World, target: Target) -> tuple[int, int, bool]:
    """(queries, status, signed in) of one cold GET, rolled back afterwards."""
    with transaction.atomic():
        # Cleared before signing in: with Redis the session itself lives in the cache.
        cache.clear()  # this process's prefix only (conftest.py)
        client = client_for(world, target.actor, api=target.api)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(target.url)
        transaction.set_rollback(True)
    user = getattr(response.wsgi_request, "user", None)
    return len(queries), response.status_code, bool(user and user.is_authenticated)


def test_every_get_endpoint_has_a_budget():
    missing = sorted(DISCOVERED.keys() - BUDGETS.keys() - EXCLUDED.keys())
    stale = sorted((BUDGETS.keys() | EXCLUDED.keys()) - DISCOVERED.keys())
    both = sorted(BUDGETS.keys() & EXCLUDED.keys())
    assert not missing, (
        "These GET pages or API endpoints have no query budget in "
        f"tests/performance/test_query_budgets.py BUDGETS: {missing}"
    )
    assert not stale, f"Budgets or exclusions for routes that no longer exist: {stale}"
    assert not both, f"Both budgeted and excluded: {both}"
    assert all(EXCLUDED.values()), "Every exclusion says why"


def test_the_main_pages_have_their_written_budgets():
    assert BUDGETS["courses:list"] == {ANON: 3, ENROLLED: 4}  # issue: 4
    assert BUDGETS["courses:detail"] == {ANON: 6, ENROLLED: 7}  # issue: 6
    assert BUDGETS["courses:dashboard"] == {ENROLLED: 8}  # issue: 8
    assert BUDGETS["courses:lesson"] == {ENROLLED: 8, OWNER: 4}  # issue: 6
    assert BUDGETS["api:course-list"][ANON] <= 4


@pytest.mark.django_db
def test_query_counts_stay_within_budget_and_do_not_grow_with_the_data():
    world = world_build()
    world_grow(world, copies=1)
    targets = _targets(world)
    for target in targets:
        _count(world, target)  # warm process-level caches (content types, templates)
    small = {target: _count(world, target) for target in targets}
    world_grow(world, copies=3)
    large = {target: _count(world, target) for target in targets}

    wrong: list[str] = []
    for target in targets:
        (before, status_before, _), (after, status_after, signed_in) = small[target], large[target]
        where = f"{target.name} as {target.actor} (GET {target.url})"
        if signed_in != (target.actor != ANON):
            wrong.append(f"{where}: counted {'signed in' if signed_in else 'anonymous'}")
        if after > before:
            wrong.append(f"{where}: {before} queries on the small world, {after} on the grown one")
        if max(before, after) > target.allowed:
            wrong.append(f"{where}: {max(before, after)} queries, budget {target.allowed}")
        if status_before != status_after or status_after >= 500:
            wrong.append(f"{where}: status {status_before} then {status_after}")
        if target.name in MAIN_PAGES and status_after != 200:
            wrong.append(f"{where}: a main page must open (200), got {status_after}")
    assert not wrong, "\n".join(wrong)


__all__: list[Any] = []
