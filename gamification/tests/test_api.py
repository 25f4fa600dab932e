"""The gamification API: roles, validation, idempotent grants, stats and query budgets."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from courses.tests.factories import CourseFactory, EnrollmentFactory, StudentFactory
from gamification import services
from gamification.models import XpTransaction
from gamification.rules import Action

pytestmark = pytest.mark.django_db

LEADERBOARD = "/api/v1/gamification/leaderboard"
ACHIEVEMENTS = "/api/v1/gamification/achievements"
GRANT = "/api/v1/gamification/xp"
STATS = "/api/v1/gamification/stats"


def _client(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("url", [LEADERBOARD, ACHIEVEMENTS, STATS])
def test_anonymous_callers_get_401(api_client: APIClient, url: str, db: None) -> None:
    response = api_client.get(url)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_students_cannot_grant_xp(student: User, other_student: User) -> None:
    response = _client(student).post(
        GRANT,
        {"user": other_student.pk, "amount": 10, "reason": "x", "idempotency_key": "k"},
        format="json",
    )
    assert response.status_code == 403
    assert not XpTransaction.objects.exists()


def test_an_admin_grant_is_idempotent(admin_user: User, student: User) -> None:
    body = {"user": student.pk, "amount": 75, "reason": "Hackathon win", "idempotency_key": "hk"}
    first = _client(admin_user).post(GRANT, body, format="json")
    second = _client(admin_user).post(GRANT, {**body, "amount": 500}, format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert (second.json()["amount"], second.json()["created"]) == (75, False)
    assert list(XpTransaction.objects.values_list("amount", flat=True)) == [75]


def test_an_instructor_grants_only_within_their_courses(instructor: User, student: User) -> None:
    course = CourseFactory(instructors=[instructor])
    other_course = CourseFactory()
    EnrollmentFactory(learner=student, course=course)
    EnrollmentFactory(learner=student, course=other_course)
    body = {"user": student.pk, "amount": 20, "reason": "Helpful", "idempotency_key": "i1"}

    refused = _client(instructor).post(GRANT, {**body, "course": other_course.pk}, format="json")
    granted = _client(instructor).post(GRANT, {**body, "course": course.pk}, format="json")

    assert refused.status_code == 403
    assert granted.status_code == 201
    assert XpTransaction.objects.get().course_id == course.pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": 5000}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"user": 999999}, "user"),
        ({"reason": ""}, "reason"),
        ({"idempotency_key": ""}, "idempotency_key"),
    ],
)
def test_bad_grants_are_refused_with_the_field(
    admin_user: User, student: User, body: dict[str, Any], field: str
) -> None:
    valid = {"user": student.pk, "amount": 5, "reason": "ok", "idempotency_key": "z"}
    response = _client(admin_user).post(GRANT, {**valid, **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not XpTransaction.objects.exists()


def test_stats_report_level_progress_streaks_and_rank(
    award: Any, student: User, other_student: User
) -> None:
    award(user=other_student, action=Action.MANUAL_GRANT, idempotency_key="o", amount=90)
    award(user=student, action=Action.MANUAL_GRANT, idempotency_key="s", amount=60)
    body = _client(student).get(STATS).json()
    assert body["total_xp"] == 60
    assert (body["level"], body["title"], body["next_level_xp"], body["xp_to_next"]) == (
        2,
        "Newcomer",
        174,
        114,
    )
    assert (body["rank_all_time"], body["rank_this_week"]) == (2, 2)
    assert (body["league_tier"], body["league_tier_name"]) == (1, "Bronze")


@pytest.mark.parametrize(
    ("query", "field"),
    [("?scope=galaxy", "scope"), ("?period=year", "period"), ("?scope=course", "course")],
)
def test_leaderboard_parameters_are_validated(student: User, query: str, field: str) -> None:
    response = _client(student).get(LEADERBOARD + query)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_group_board_is_for_its_members_only(student: User, other_student: User) -> None:
    group = services.study_group_create(owner=student, name="Group")
    response = _client(other_student).get(f"{LEADERBOARD}?scope=group&group={group.pk}")
    assert response.status_code == 404
    assert _client(student).get(f"{LEADERBOARD}?scope=group&group={group.pk}").status_code == 200


def test_the_leaderboard_endpoint_runs_a_fixed_number_of_queries(
    award: Any, student: User, django_assert_max_num_queries: Any
) -> None:
    client = _client(student)
    course = CourseFactory()
    award(user=student, action=Action.MANUAL_GRANT, idempotency_key="me", amount=1, course=course)
    counts: dict[str, set[int]] = {}
    for count in (2, 25):
        for index in range(count):
            award(
                user=StudentFactory(),
                action=Action.MANUAL_GRANT,
                idempotency_key=f"{count}-{index}",
                amount=index + 2,
                course=course,
            )
        for query in ("period=week", "period=all", f"scope=course&course={course.pk}&period=all"):
            with django_assert_max_num_queries(6) as captured:
                response = client.get(f"{LEADERBOARD}?{query}&limit=20")
            counts.setdefault(query, set()).add(len(captured))
            assert response.status_code == 200
            body = response.json()
            assert len(body["results"]) == min(20, count + 1 if count == 2 else 28)
            assert body["me"]["user_id"] == student.pk
    # The same number of queries with 3 learners and with 28, for every board.
    assert all(len(sizes) == 1 for sizes in counts.values()), counts


def test_achievements_list_every_badge_with_progress(award: Any, student: User) -> None:
    award(user=student, action=Action.LESSON_COMPLETED, idempotency_key="l")
    services.achievements_evaluate(user=student)
    body = _client(student).get(ACHIEVEMENTS).json()
    assert len(body) >= 50
    by_code = {row["code"]: row for row in body}
    assert by_code["lessons-1"]["is_earned"] is True
    assert by_code["lessons-1"]["assertion_url"].startswith("http://testserver/badges/")
    assert (by_code["lessons-10"]["progress"], by_code["lessons-10"]["threshold"]) == (1, 10)


def test_group_boards_and_the_weekly_course_board_run_a_fixed_number_of_queries(
    award: Any, student: User, django_assert_max_num_queries: Any
) -> None:
    client = _client(student)
    course = CourseFactory()
    group = services.study_group_create(owner=student, name="Crew")
    award(user=student, action=Action.MANUAL_GRANT, idempotency_key="me", amount=1, course=course)
    queries = (
        f"scope=group&group={group.pk}&period=week",
        f"scope=group&group={group.pk}&period=all",
        f"scope=course&course={course.pk}&period=week",
    )
    counts: dict[str, set[int]] = {}
    members = 1
    for count in (2, 12):
        for index in range(count):
            member = StudentFactory()
            services.study_group_join(user=member, invite_code=group.invite_code)
            award(
                user=member,
                action=Action.MANUAL_GRANT,
                idempotency_key=f"{count}-{index}",
                amount=index + 2,
                course=course,
            )
        members += count
        for query in queries:
            with django_assert_max_num_queries(8) as captured:
                response = client.get(f"{LEADERBOARD}?{query}&limit=20")
            counts.setdefault(query, set()).add(len(captured))
            assert response.status_code == 200
            body = response.json()
            assert len(body["results"]) == members
            assert body["me"]["user_id"] == student.pk
            assert body["me"]["rank"] == members  # 1 XP: last on every board
    # The same number of queries with 3 learners and with 15, for every board.
    assert all(len(sizes) == 1 for sizes in counts.values()), counts
