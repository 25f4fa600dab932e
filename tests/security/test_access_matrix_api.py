"""The API access-control matrix: every /api/v1/ operation, called by every actor, against a
declared table.

The operations come from the URL configuration (`discovery.api_operations`), so an endpoint
added without a row in `MATRIX` fails `test_every_api_operation_is_declared`: new endpoints
cannot ship unchecked. Each row says what every actor must get (see tests/security/matrix.py).

Object-level checks (IDOR) are in the rows themselves: every personal object of the world
belongs to "enrolled", and "other" is a student enrolled in the same course, so another
learner's attempt, notification, conversation, practice set, review card or challenge must
answer 404 (not even its existence leaks). The body sent with each write is a valid request, so
`OK` means success, not "got past the permission check and then failed validation".
"""

from __future__ import annotations

import itertools
import json
import os
from typing import Any

import pytest
from django.urls import reverse

from accounts.tests.factories import DEFAULT_PASSWORD
from tests.security.discovery import Operation, api_operations
from tests.security.matrix import (
    OK,
    Rule,
    client_for,
    each_actor,
    expect,
    fill,
    observed,
    verdict,
)
from tests.security.world import ACTORS, ENROLLED, World, world_build

_ADDRESSES = itertools.count()
EVERYONE = expect(OK, OK, OK, OK, OK, OK, OK)
SIGNED_IN = expect(401, OK, OK, OK, OK, OK, OK)
ADMINS = expect(401, 403, 403, 403, 403, 403, OK)
OWN = expect(401, 404, OK, 404, 404, 404, 404)  # the enrolled learner's own object
NOBODY = expect(401, 401, 401, 401, 401, 401, 401)


def _register(w: World) -> dict[str, Any]:
    return {
        "email": "newcomer@example.com",
        "password": "a-brand-new-passphrase-77",
        "display_name": "Newcomer",
    }


MATRIX: dict[tuple[str, str], Rule] = {
    # --- accounts ---
    ("api:auth-register", "POST"): Rule(EVERYONE, _register, why="open sign-up"),
    ("api:auth-login", "POST"): Rule(
        NOBODY,
        # A new address per call: the same one would be locked after five (accounts.lockout).
        lambda w: {"email": f"nobody{next(_ADDRESSES)}@example.com", "password": "wrong-pw-1234"},
        why="wrong credentials are refused whoever calls",
    ),
    ("api:auth-refresh", "POST"): Rule(
        NOBODY, lambda w: {"refresh": "not-a-token"}, why="a bad refresh token is refused"
    ),
    ("api:auth-logout", "POST"): Rule(NOBODY, lambda w: {"refresh": "not-a-token"}),
    ("api:profile", "GET"): Rule(SIGNED_IN),
    ("api:profile", "PUT"): Rule(
        SIGNED_IN,
        lambda w: {"display_name": "Renamed", "bio": "", "time_zone": "UTC", "theme": "light"},
    ),
    ("api:profile", "PATCH"): Rule(SIGNED_IN, lambda w: {"display_name": "Renamed"}),
    ("api:password-change", "POST"): Rule(
        SIGNED_IN,
        lambda w: {
            "old_password": "a-long-test-passphrase-42",
            "new_password": "another-long-passphrase-99",
        },
    ),
    ("api:user-data-export", "GET"): Rule(SIGNED_IN, why="each gets only their own data"),
    ("api:user-account-delete", "POST"): Rule(
        expect(401, OK, 409, OK, OK, OK, 409),
        lambda w: {"password": DEFAULT_PASSWORD},
        why="the right password deletes (rolled back per actor); enrolled still has a renewing "
        "Pro plan and admin is the last admin: refused",
    ),
    ("api:teacher-applications", "GET"): Rule(SIGNED_IN, why="each sees only their own"),
    ("api:teacher-applications", "POST"): Rule(
        expect(401, OK, 409, OK, 403, 403, 403),
        lambda w: {"expertise": "Statistics", "motivation": "I teach it at work."},
        why="students apply once; instructors and admins already teach",
    ),
    ("api:admin-users", "GET"): Rule(ADMINS),
    ("api:admin-user-role", "POST"): Rule(ADMINS, lambda w: {"role": "instructor"}),
    ("api:admin-user-deactivate", "POST"): Rule(ADMINS),
    ("api:admin-teacher-applications", "GET"): Rule(ADMINS),
    ("api:admin-teacher-application-review", "POST"): Rule(ADMINS, lambda w: {"approve": True}),
    # --- courses ---
    ("api:course-list", "GET"): Rule(EVERYONE),
    ("api:course-list", "POST"): Rule(
        expect(401, 403, 403, 403, OK, OK, OK), lambda w: {"title": "A new course"}
    ),
    ("api:course-detail", "GET"): Rule(EVERYONE),
    ("api:course-detail", "PUT"): Rule(
        expect(401, 403, 403, 403, OK, 403, OK), lambda w: {"title": "Replaced title"}
    ),
    ("api:course-detail", "PATCH"): Rule(
        expect(401, 403, 403, 403, OK, 403, OK), lambda w: {"title": "Patched title"}
    ),
    ("api:course-detail", "DELETE"): Rule(
        expect(401, 403, 403, 403, 409, 403, 409), why="the course has learners: archive it"
    ),
    ("api:course-enroll", "POST"): Rule(SIGNED_IN),
    ("api:course-progress", "GET"): Rule(
        expect(401, 403, OK, OK, 403, 403, 403), why="progress is each enrolled learner's own"
    ),
    ("api:course-lessons", "GET"): Rule(EVERYONE),
    ("api:lesson-detail", "GET"): Rule(
        expect(403, 403, OK, OK, OK, 403, OK), why="locked until enrolled; authors and admins read"
    ),
    ("api:lesson-complete", "POST"): Rule(expect(401, 403, OK, OK, 403, 403, 403)),
    ("api:lesson-complete", "DELETE"): Rule(expect(401, 403, OK, OK, 403, 403, 403)),
    ("api:lesson-position", "PUT"): Rule(
        expect(401, 403, OK, OK, 403, 403, 403), lambda w: {"position_seconds": 10}
    ),
    ("api:lesson-reading", "POST"): Rule(
        expect(401, 403, OK, OK, 403, 403, 403),
        lambda w: {"seconds_spent": 10, "reached_end": True},
        why="reading reports are the enrolled learners' own progress",
    ),
    ("api:quiz-detail", "GET"): Rule(expect(403, 403, OK, OK, OK, 403, OK)),
    ("api:quiz-attempt-start", "POST"): Rule(
        expect(401, 403, OK, OK, OK, 403, OK),
        lambda w: {},
        why="the course's authors and admins may try it (no answers: the attempt starts)",
    ),
    ("api:quiz-attempt-detail", "GET"): Rule(OWN, why="attempts are the learner's own"),
    ("api:quiz-attempt-submit", "POST"): Rule(OWN, lambda w: {"answers": {}}),
    ("api:quiz-attempt-question-check", "POST"): Rule(
        expect(401, 404, 409, 404, 404, 404, 404),
        lambda w: {"answer": w.quiz.questions.first().choices.first().pk},
        why="the learner's own attempt; 409 because the world's quiz gives feedback on submit",
    ),
    ("api:certificate-list", "GET"): Rule(SIGNED_IN, why="each sees only their own"),
    ("api:certificate-verify", "GET"): Rule(EVERYONE, why="public verification"),
    # --- gamification ---
    ("api:gamification-leaderboard", "GET"): Rule(SIGNED_IN),
    ("api:gamification-achievements", "GET"): Rule(SIGNED_IN, why="each sees their own"),
    ("api:gamification-xp-grant", "POST"): Rule(
        expect(401, 403, 403, 403, OK, 403, OK),
        lambda w: {
            "user": w.user(ENROLLED).pk,
            "amount": 5,
            "reason": "Helped in the live session",
            "idempotency_key": "matrix-grant-1",
            "course": w.course.pk,
        },
        why="only the learner's own instructors and staff grant XP",
    ),
    ("api:gamification-stats", "GET"): Rule(SIGNED_IN),
    # --- learning: spaced repetition, preferences, challenges ---
    ("api:reviews-due", "GET"): Rule(SIGNED_IN, why="each sees their own cards"),
    ("api:reviews-stats", "GET"): Rule(SIGNED_IN),
    ("api:reviews-submit", "POST"): Rule(OWN, lambda w: {"rating": "good"}),
    ("api:learning-preferences", "GET"): Rule(SIGNED_IN),
    ("api:learning-preferences", "PATCH"): Rule(SIGNED_IN, lambda w: {"mode": "relax"}),
    ("api:challenges-start", "POST"): Rule(
        expect(401, 400, OK, OK, 400, 400, 400),
        lambda w: {"course": w.course.pk},
        why="enrolled learners only",
    ),
    ("api:challenges-leaderboard", "GET"): Rule(SIGNED_IN, query=lambda w: {"course": w.course.pk}),
    ("api:challenges-detail", "GET"): Rule(OWN),
    ("api:challenges-submit", "POST"): Rule(OWN, lambda w: {"answers": {}}),
    # --- notifications ---
    ("api:notifications-list", "GET"): Rule(SIGNED_IN, why="each sees their own"),
    ("api:notifications-read-all", "POST"): Rule(SIGNED_IN),
    ("api:notifications-read", "POST"): Rule(OWN),
    ("api:instructors-following", "GET"): Rule(SIGNED_IN, why="each sees their own"),
    ("api:instructor-follow", "POST"): Rule(
        expect(401, OK, OK, OK, 400, OK, OK), why="the course's instructor cannot follow themselves"
    ),
    ("api:instructor-follow", "DELETE"): Rule(SIGNED_IN, why="unfollowing is idempotent"),
    # --- help center (qa): "enrolled" asked, "other" answered and commented ---
    ("api:qa-question-list", "GET"): Rule(EVERYONE),
    ("api:qa-question-list", "POST"): Rule(
        SIGNED_IN,
        lambda w: {
            "title": "How do spring tides differ?",
            "body": "The lesson mentions spring tides but never explains them fully.",
        },
    ),
    ("api:qa-question-similar", "GET"): Rule(EVERYONE, query=lambda w: {"title": "tides"}),
    ("api:qa-question-detail", "GET"): Rule(EVERYONE),
    ("api:qa-question-detail", "PATCH"): Rule(
        expect(401, 403, OK, 403, 403, 403, OK),
        lambda w: {"body": "I read the lesson twice but I still do not see the two tides."},
        why="the asker and moderators edit",
    ),
    ("api:qa-question-detail", "DELETE"): Rule(
        expect(401, 403, 409, 403, 403, 403, OK),
        why="an answered question stays for its answerers; moderators remove it",
    ),
    ("api:qa-question-answers", "POST"): Rule(
        SIGNED_IN, lambda w: {"body": "Think of the Earth's own motion around the centre."}
    ),
    ("api:qa-question-comments", "POST"): Rule(
        expect(401, 403, OK, 403, 403, 403, OK), lambda w: {"body": "Which lesson?"}
    ),
    ("api:qa-question-flag", "POST"): Rule(
        expect(401, OK, 403, OK, OK, OK, OK),
        lambda w: {"reason": "off_topic"},
        why="anyone but the author flags a post",
    ),
    ("api:qa-question-bounty", "GET"): Rule(
        expect(404, 404, 404, 404, 404, 404, 404), why="the world's question has no bounty"
    ),
    ("api:qa-question-bounty", "POST"): Rule(
        expect(401, 403, 403, 403, 403, 403, 403),
        lambda w: {"amount": 20},
        why="only the asker, from level 10 (the world's asker is level 1: level_too_low)",
    ),
    ("api:qa-question-close", "POST"): Rule(
        expect(401, 403, OK, 403, 403, 403, OK), lambda w: {"reason": "off_topic"}
    ),
    ("api:qa-question-reopen", "POST"): Rule(expect(401, 403, 409, 403, 403, 403, 409)),
    ("api:qa-question-follow", "POST"): Rule(SIGNED_IN),
    ("api:qa-question-follow", "DELETE"): Rule(SIGNED_IN),
    ("api:qa-answer-detail", "GET"): Rule(EVERYONE),
    ("api:qa-answer-detail", "PATCH"): Rule(
        expect(401, 403, 403, OK, 403, 403, OK),
        lambda w: {"body": "The moon pulls on both sides of the Earth, unevenly."},
    ),
    ("api:qa-answer-detail", "DELETE"): Rule(expect(401, 403, 403, OK, 403, 403, OK)),
    ("api:qa-answer-rate", "PUT"): Rule(
        expect(401, 403, OK, 403, 403, 403, 403), lambda w: {"xp": 5}, why="only the asker rates"
    ),
    ("api:qa-answer-star", "PUT"): Rule(
        expect(401, OK, OK, 403, OK, OK, OK), lambda w: {"stars": 4}, why="not one's own answer"
    ),
    ("api:qa-answer-accept", "POST"): Rule(expect(401, 403, OK, 403, 403, 403, 403)),
    ("api:qa-answer-accept", "DELETE"): Rule(
        expect(401, 403, OK, 403, 403, 403, 403), why="the asker; undoing nothing is a no-op"
    ),
    ("api:qa-answer-comments", "POST"): Rule(
        expect(401, 403, OK, OK, 403, 403, OK), lambda w: {"body": "Thank you!"}
    ),
    ("api:qa-answer-flag", "POST"): Rule(
        expect(401, 409, OK, 403, OK, OK, OK),
        lambda w: {"reason": "spam"},
        why="the plain student flagged it already; nobody flags their own post",
    ),
    ("api:qa-comment-flag", "POST"): Rule(
        expect(401, OK, OK, 403, OK, OK, OK), lambda w: {"reason": "offensive"}
    ),
    ("api:qa-category-list", "GET"): Rule(EVERYONE),
    ("api:qa-category-list", "POST"): Rule(ADMINS, lambda w: {"name": "Oceanography"}),
    # --- billing: each caller sees only their own subscription and entitlements ---
    ("api:billing-plans", "GET"): Rule(EVERYONE),
    ("api:billing-checkout", "POST"): Rule(
        expect(401, 503, 503, 503, 503, 503, 503),
        lambda w: {"plan": "pro"},
        why="no Stripe key in tests: checkout says payments are not configured",
    ),
    ("api:billing-subscription", "GET"): Rule(SIGNED_IN),
    ("api:billing-entitlements", "GET"): Rule(SIGNED_IN),
    ("api:billing-affiliate", "GET"): Rule(expect(401, 404, OK, 404, 404, 404, 404)),
    ("api:billing-revenue", "GET"): Rule(ADMINS),
    # --- AI tools: Pro and above (the enrolled learner has Pro; "other" is enrolled on the free
    # plan), staff always; conversations and practice sets are the learner's own ---
    ("api:ai-summarize-lesson", "POST"): Rule(
        expect(401, 403, OK, 403, OK, 403, OK), lambda w: {"lesson_id": w.lesson.pk}
    ),
    ("api:ai-summary", "GET"): Rule(
        expect(401, 403, OK, 403, OK, 403, OK),
        why="a lesson's summary: whoever may open the lesson, on a plan with the AI tools",
    ),
    ("api:ai-generate-questions", "POST"): Rule(
        expect(401, 403, OK, 403, OK, 403, OK), lambda w: {"lesson_id": w.lesson.pk, "count": 1}
    ),
    ("api:ai-practice-sets", "GET"): Rule(SIGNED_IN, why="each sees their own"),
    ("api:ai-practice-set", "GET"): Rule(OWN),
    ("api:ai-practice-set-submit", "POST"): Rule(
        expect(401, 404, 400, 404, 404, 404, 404),
        lambda w: {"answers": {}},
        why="the owner gets past access to 'not ready yet' (the set is still being generated)",
    ),
    ("api:ai-study-buddy", "POST"): Rule(
        expect(401, 404, OK, 404, 404, 404, 404),
        lambda w: {
            "course_id": w.course.pk,
            "question": "Why two tides?",
            "conversation_id": w.conversation.pk,
        },
        why="continuing another learner's conversation is refused",
    ),
    ("api:ai-conversations", "GET"): Rule(SIGNED_IN, query=lambda w: {"course_id": w.course.pk}),
    ("api:ai-conversation-messages", "GET"): Rule(OWN),
    ("api:ai-analyze-skill-gaps", "POST"): Rule(
        expect(401, 403, OK, 403, OK, OK, OK), lambda w: {}, why="Pro and above, staff always"
    ),
    # --- analytics ---
    ("api:analytics-course-summary", "GET"): Rule(expect(401, 403, 403, 403, OK, 403, OK)),
    ("api:analytics-course-at-risk", "GET"): Rule(expect(401, 403, 403, 403, OK, 403, OK)),
    ("api:analytics-platform-summary", "GET"): Rule(ADMINS),
    ("api:analytics-heartbeat", "POST"): Rule(
        expect(401, 403, OK, OK, 403, 403, 403), lambda w: {"lesson_id": w.lesson.pk, "seconds": 30}
    ),
    # --- added after the matrix was first written: course ratings, leagues, push, announcements,
    # AI usage, the help center's moderation, follows and revisions ---
    ("api:course-reviews", "GET"): Rule(EVERYONE, why="ratings are public"),
    ("api:course-review", "PUT"): Rule(
        expect(401, 403, 403, 403, 403, 403, 403),
        lambda w: {"rating": 4, "comment": "Clear and kind."},
        why="only enrolled learners who finished a lesson rate, and nobody here has yet "
        "(rating itself: courses/tests/test_reviews.py)",
    ),
    ("api:course-review", "DELETE"): Rule(
        expect(401, 404, 404, 404, 404, 404, 404), why="nobody has rated yet: nothing to withdraw"
    ),
    ("api:gamification-league", "GET"): Rule(SIGNED_IN, why="each sees their own cohort"),
    ("api:notifications-push-key", "GET"): Rule(SIGNED_IN),
    ("api:notifications-preferences", "GET"): Rule(SIGNED_IN),
    ("api:notifications-preference", "PUT"): Rule(
        SIGNED_IN, lambda w: {"in_app": True, "email": False, "push": True}
    ),
    ("api:notifications-push-subscribe", "POST"): Rule(
        expect(401, 503, 503, 503, 503, 503, 503),
        lambda w: {
            "endpoint": "https://fcm.googleapis.com/fcm/send/matrix-device",
            "keys": {"p256dh": "B" + "x" * 86, "auth": "tBHItJI5svbpez7KI4CCXg"},
        },
        why="no VAPID keys in the tests: push answers 503 (devices: notifications/tests)",
    ),
    ("api:notifications-push-unsubscribe", "POST"): Rule(
        SIGNED_IN, lambda w: {"endpoint": "https://fcm.googleapis.com/fcm/send/none"}
    ),
    ("api:course-announcements", "POST"): Rule(
        expect(401, 403, 403, 403, OK, 403, OK),
        lambda w: {"title": "Office hours on Friday", "body": "Bring your questions."},
        why="the course's instructors and admins announce",
    ),
    ("api:ai-usage", "GET"): Rule(SIGNED_IN),
    ("api:qa-question-revisions", "GET"): Rule(EVERYONE, why="edit history is public"),
    ("api:qa-answer-revisions", "GET"): Rule(EVERYONE, why="edit history is public"),
    ("api:qa-question-visibility", "PUT"): Rule(
        expect(401, 403, 403, 403, 403, 403, OK),
        lambda w: {"is_hidden": True, "reason": "spam"},
        why="the question is about no course: admins moderate it",
    ),
    ("api:qa-answer-visibility", "PUT"): Rule(
        expect(401, 403, 403, 403, 403, 403, OK),
        lambda w: {"is_hidden": True, "reason": "spam"},
    ),
    ("api:qa-comment-visibility", "PUT"): Rule(
        expect(401, 403, 403, 403, 403, 403, OK),
        lambda w: {"is_hidden": True, "reason": "spam"},
    ),
    ("api:qa-comment-detail", "DELETE"): Rule(
        expect(401, 403, 403, OK, 403, 403, OK), why="its author and admins"
    ),
    ("api:qa-flag-list", "GET"): Rule(
        expect(401, 403, 403, 403, OK, 403, OK), why="moderators: instructors and admins"
    ),
    ("api:qa-flag-resolve", "POST"): Rule(
        expect(401, 403, 403, 403, 403, 403, OK),
        lambda w: {"uphold": False},
        why="the flagged answer is on a question about no course: admins resolve it",
    ),
    ("api:qa-following", "GET"): Rule(SIGNED_IN),
    ("api:qa-following", "PUT"): Rule(
        SIGNED_IN, lambda w: {"frequency": "weekly", "notify_as_expert": False}
    ),
    ("api:qa-category-follow", "POST"): Rule(SIGNED_IN),
    ("api:qa-category-follow", "DELETE"): Rule(SIGNED_IN),
    ("api:qa-course-questions-follow", "POST"): Rule(SIGNED_IN),
    ("api:qa-course-questions-follow", "DELETE"): Rule(SIGNED_IN),
    ("api:analytics-me", "GET"): Rule(SIGNED_IN),
    ("api:analytics-me-data", "GET"): Rule(SIGNED_IN),
    ("api:analytics-me-data", "DELETE"): Rule(SIGNED_IN),
}

OPERATIONS = api_operations()


def test_every_api_operation_is_declared():
    discovered = {op.key for op in OPERATIONS}
    missing = sorted(discovered - MATRIX.keys())
    stale = sorted(MATRIX.keys() - discovered)
    assert not missing, (
        "These API operations have no row in tests/security/test_access_matrix_api.py MATRIX; "
        f"declare who may call them: {missing}"
    )
    assert not stale, f"MATRIX rows for operations that no longer exist: {stale}"


def test_discovery_sees_the_whole_api():
    keys = {op.key for op in OPERATIONS}
    assert len(OPERATIONS) >= 90
    assert ("api:course-detail", "PATCH") in keys
    assert ("api:billing-checkout", "POST") in keys
    assert ("api:ai-conversation-messages", "GET") in keys


def _call(op: Operation, actor: str, world: World) -> Any:
    rule = MATRIX.get(op.key, Rule(EVERYONE))
    url = reverse(op.name, kwargs=fill(op.params, world, op.name))
    if rule.query:
        url += "?" + "&".join(f"{k}={v}" for k, v in rule.query(world).items())
    body = rule.body(world) if rule.body else None
    return client_for(world, actor, api=True).generic(
        op.method,
        url,
        data=None if body is None else json.dumps(body),
        content_type="application/json",
    )


@pytest.mark.django_db
@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: f"{op.method} {op.name}")
def test_access_matrix(op: Operation):
    world = world_build()
    responses = each_actor(world, lambda actor: _call(op, actor, world))
    if os.environ.get("MATRIX_OBSERVE"):  # a path: write the observed rows there, then stop
        row = ", ".join(repr(observed(responses[a])) for a in ACTORS)
        with open(os.environ["MATRIX_OBSERVE"], "a") as out:
            out.write(f"{op.key}: expect({row})\n")
        return
    rule = MATRIX[op.key]
    wrong = []
    for actor in ACTORS:
        response = responses[actor]
        got = response.status_code
        detail = f"{actor}: wanted {rule.expected[actor]!r}, got {got} {response.content[:200]!r}"
        # A 5xx is a finding unless declared (503: a service this site is not configured for).
        if (got >= 500 and got != rule.expected[actor]) or not verdict(
            rule.expected[actor], response
        ):
            wrong.append(detail)
        elif got >= 400:
            assert set(response.json()) == {"error"}, detail  # the one error shape
    assert not wrong, f"{op.method} /{op.route}:\n  " + "\n  ".join(wrong)


__all__ = ["ENROLLED"]
