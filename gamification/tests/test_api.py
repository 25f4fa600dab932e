"""/api/v1/gamification/: roles, errors, and fixed query counts."""

from __future__ import annotations

import pytest

from courses.tests.factories import StudentFactory
from gamification import achievements, services
from gamification.tests.ledger import ledger_total

pytestmark = pytest.mark.django_db

LEADERBOARD = "/api/v1/gamification/leaderboard"


def _grant(user, amount: int, course=None) -> None:
    services.xp_award(
        user=user,
        action="manual_grant",
        idempotency_key=f"api:{user.pk}:{amount}",
        amount=amount,
        course=course,
    )


@pytest.mark.parametrize("users", [3, 12])
def test_the_leaderboard_runs_a_fixed_number_of_queries(
    api, learner, course, users, django_assert_num_queries
) -> None:
    for n in range(users):
        _grant(StudentFactory(), 100 + n, course=course)
    _grant(learner, 1, course=course)
    api.force_authenticate(learner)
    # session-less auth: top, the viewer's score, users above it, names with profiles
    with django_assert_num_queries(4):
        response = api.get(LEADERBOARD, {"scope": "global", "period": "week", "limit": 2})
    assert response.status_code == 200
    body = response.json()
    assert [row["xp"] for row in body["rows"]] == [100 + users - 1, 100 + users - 2]
    assert body["me"]["rank"] == users + 1
    with django_assert_num_queries(3):  # the course, the top, the names (I am in the top)
        response = api.get(LEADERBOARD, {"scope": "course", "course": course.pk, "period": "all"})
    assert len(response.json()["rows"]) == users + 1


def test_the_leaderboard_is_public_and_names_bad_parameters(api, course) -> None:
    assert api.get(LEADERBOARD).status_code == 200
    response = api.get(LEADERBOARD, {"scope": "galaxy"})
    assert response.status_code == 400
    assert "scope" in response.json()["error"]["fields"]
    response = api.get(LEADERBOARD, {"scope": "course"})
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["course"])
    assert api.get(LEADERBOARD, {"scope": "course", "course": 999999}).status_code == 404
    assert api.get(LEADERBOARD, {"limit": 0}).status_code == 400


def test_achievements_list_every_achievement_with_the_callers_progress(api, learner) -> None:
    _grant(learner, 150)
    services.achievements_evaluate(user=learner)
    api.force_authenticate(learner)
    body = api.get("/api/v1/gamification/achievements").json()
    assert len(body) == len(achievements.ACHIEVEMENTS)
    by_code = {item["code"]: item for item in body}
    assert by_code["xp-100"]["is_earned"] is True
    assert (by_code["xp-1000"]["progress"], by_code["xp-1000"]["progress_percent"]) == (150, 15)
    api.force_authenticate(None)
    anonymous = api.get("/api/v1/gamification/achievements").json()
    assert not any(item["is_earned"] for item in anonymous)


def test_stats_need_a_sign_in_and_show_level_progress_and_rank(api, learner) -> None:
    assert api.get("/api/v1/gamification/stats").status_code == 401
    _grant(learner, 130)
    api.force_authenticate(learner)
    body = api.get("/api/v1/gamification/stats").json()
    assert (body["xp"], body["level"], body["next_level_xp"], body["xp_to_next_level"]) == (
        130,
        3,
        210,
        80,
    )
    assert (body["rank_all"], body["rank_week"], body["progress_percent"]) == (1, 1, 11)


def test_only_staff_and_instructors_grant_xp(api, learner, other_learner, admin_user) -> None:
    payload = {
        "user": other_learner.pk,
        "amount": 20,
        "reason": "Bug report",
        "idempotency_key": "b1",
    }
    assert api.post("/api/v1/gamification/xp", payload, format="json").status_code == 401
    api.force_authenticate(learner)
    assert api.post("/api/v1/gamification/xp", payload, format="json").status_code == 403
    assert ledger_total(other_learner) == 0
    api.force_authenticate(admin_user)
    first = api.post("/api/v1/gamification/xp", payload, format="json")
    retry = api.post("/api/v1/gamification/xp", payload, format="json")
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json()["id"] == retry.json()["id"]
    assert ledger_total(other_learner) == 20


def test_an_instructor_outside_their_course_gets_403(api, instructor, learner, course) -> None:
    api.force_authenticate(instructor)
    payload = {"user": learner.pk, "amount": 5, "reason": "x", "idempotency_key": "k"}
    response = api.post("/api/v1/gamification/xp", payload, format="json")
    assert response.status_code == 403
    payload["course"] = course.pk
    assert api.post("/api/v1/gamification/xp", payload, format="json").status_code == 403
    assert ledger_total(learner) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": 5000}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"reason": ""}, "reason"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"user": None}, "user"),
    ],
)
def test_bad_grants_are_400_with_the_field_named(api, admin_user, learner, change, field) -> None:
    payload = {"user": learner.pk, "amount": 5, "reason": "x", "idempotency_key": "k", **change}
    api.force_authenticate(admin_user)
    response = api.post("/api/v1/gamification/xp", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert ledger_total(learner) == 0


def test_granting_to_an_unknown_user_is_404(api, admin_user) -> None:
    api.force_authenticate(admin_user)
    payload = {"user": 999999, "amount": 5, "reason": "x", "idempotency_key": "k"}
    assert api.post("/api/v1/gamification/xp", payload, format="json").status_code == 404
