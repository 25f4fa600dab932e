"""Gamification pages: progress, leaderboard tabs, study groups and Open Badges documents."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from courses.tests.factories import StudentFactory
from gamification import services
from gamification.models import StudyGroupMembership, UserAchievement
from gamification.rules import Action

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_need_a_signed_in_user(client: Client) -> None:
    for url in ("/progress/", "/leaderboard/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_progress_page_shows_level_badges_and_history(
    award: Any, student: User, django_assert_max_num_queries: Any
) -> None:
    award(user=student, action=Action.LESSON_COMPLETED, idempotency_key="l")
    services.achievements_evaluate(user=student)
    client = _client(student)
    # 22 of its own (ten of them count the badges' progress: the ledger and the tables of
    # courses, learning and the help center), and the learner's mode (relax hides the streak).
    with django_assert_max_num_queries(23):
        response = client.get("/progress/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Level 1: Newcomer" in page
    assert "First steps" in page
    assert "Locked · 1/10" in page
    assert "Lesson completed" in page
    assert "League: Bronze" in page


def test_the_progress_page_shows_the_level_history_and_the_unlocked_frame(
    award: Any, student: User
) -> None:
    award(user=student, action=Action.MANUAL_GRANT, idempotency_key="g", amount=1000)  # level 6
    page = _client(student).get("/progress/").content.decode()
    assert "Level 6: Newcomer" in page
    assert "Bronze profile frame unlocked." in page
    assert "profile-frame--bronze" in page
    assert page.count("<li>Level ") >= 5  # levels 2 to 6 in the history
    assert "<li>Level 6 on " in page


def test_the_leaderboard_page_lists_learners_in_order(
    award: Any, student: User, django_assert_max_num_queries: Any
) -> None:
    client = _client(student)
    counts = set()
    for count in (2, 12):
        for index in range(count):
            award(
                user=StudentFactory(display_name=f"Learner {count}-{index}"),
                action=Action.MANUAL_GRANT,
                idempotency_key=f"{count}-{index}",
                amount=10 + index,
            )
        with django_assert_max_num_queries(10) as captured:
            response = client.get("/leaderboard/?period=all")
        counts.add(len(captured))
        assert response.status_code == 200
    assert len(counts) == 1  # the page does not grow with the learners on the board
    page = response.content.decode()
    assert page.index("Learner 12-11") < page.index("Learner 12-10")


def test_the_leaderboard_swaps_only_its_board_for_htmx(student: User) -> None:
    response = _client(student).get("/leaderboard/?period=week", headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="leaderboard-board"')
    assert "<html" not in body


def test_joining_a_group_by_its_invite_link(student: User, other_student: User) -> None:
    group = services.study_group_create(owner=student, name="Evening crew")
    client = _client(other_student)
    assert (
        "Join “Evening crew”" in client.get(f"/groups/join/{group.invite_code}/").content.decode()
    )
    response = client.post(f"/groups/join/{group.invite_code}/")
    assert response.status_code == 302
    assert StudyGroupMembership.objects.filter(group=group, user=other_student).exists()
    assert client.get("/groups/join/not-a-code/").status_code == 404


def test_hiding_from_leaderboards(student: User) -> None:
    response = _client(student).post("/progress/visibility/", {"hidden": "true"})
    assert response.status_code == 302
    assert student.learner_stats.is_hidden_from_leaderboards is True


def test_an_open_badge_assertion_verifies(award: Any, student: User, client: Client) -> None:
    award(user=student, action=Action.LESSON_COMPLETED, idempotency_key="l")
    services.achievements_evaluate(user=student)
    earned = UserAchievement.objects.get(user=student, code="lessons-1")

    assertion = client.get(f"/badges/assertions/{earned.assertion_id}.json").json()
    badge = client.get("/badges/classes/lessons-1.json").json()

    assert assertion["type"] == "Assertion"
    assert assertion["verification"] == {"type": "hosted"}
    assert assertion["badge"] == "http://testserver/badges/classes/lessons-1.json"
    assert assertion["recipient"]["identity"].startswith("sha256$")
    assert student.email not in str(assertion)
    assert (badge["type"], badge["name"]) == ("BadgeClass", "First steps")
    assert client.get("/badges/assertions/nope.json").status_code == 404
    assert client.get("/badges/classes/nope.json").status_code == 404
