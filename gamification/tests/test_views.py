"""Gamification pages: progress, leaderboard tabs, study groups and Open Badges documents."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
import time_machine
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


def test_an_open_badge_is_verifiable_from_its_hosted_documents(
    award: Any, student: User, client: Client
) -> None:
    award(user=student, action=Action.LESSON_COMPLETED, idempotency_key="l")
    services.achievements_evaluate(user=student)
    earned = UserAchievement.objects.get(user=student, code="lessons-1")
    page = _client(student).get("/progress/").content.decode()
    url = f"/badges/assertions/{earned.assertion_id}.json"

    assertion = client.get(url).json()
    badge = client.get(assertion["badge"]).json()
    issuer = client.get(badge["issuer"]).json()

    assert f'<a href="{url}">Open Badge' in page  # the learner's export, from their profile
    # Hosted verification: the assertion lives at its own id, and its hashed recipient is the
    # learner's address with the published salt.
    assert assertion["id"] == f"http://testserver{url}"
    recipient = assertion["recipient"]
    expected = hashlib.sha256((student.email.lower() + recipient["salt"]).encode()).hexdigest()
    assert (recipient["type"], recipient["hashed"]) == ("email", True)
    assert recipient["identity"] == f"sha256${expected}"
    assert assertion["issuedOn"] == earned.earned_at.isoformat()
    assert badge["id"] == assertion["badge"]
    assert (badge["tags"], badge["criteria"]) == (
        ["learning", "bronze"],
        {"narrative": "Complete your first lesson."},
    )
    assert (issuer["type"], issuer["id"], issuer["url"]) == (
        "Issuer",
        badge["issuer"],
        "http://testserver/",
    )
    assert {document["@context"] for document in (assertion, badge, issuer)} == {
        "https://w3id.org/openbadges/v2"
    }


def test_the_learning_calendar_shows_xp_on_the_learners_own_days(award: Any) -> None:
    learner = StudentFactory(time_zone="Pacific/Auckland")  # UTC+12 in May
    late_evening = dt.datetime(2026, 5, 6, 11, 30, tzinfo=dt.UTC)  # 23:30 on 6 May there
    award(user=learner, action=Action.MANUAL_GRANT, idempotency_key="a", amount=10, at=late_evening)
    award(
        user=learner,
        action=Action.MANUAL_GRANT,
        idempotency_key="b",
        amount=100,
        at=late_evening + dt.timedelta(hours=1),  # 00:30 on 7 May there
    )

    with time_machine.travel(dt.datetime(2026, 5, 7, 13, 0, tzinfo=dt.UTC), tick=False):
        page = _client(learner).get("/progress/").content.decode()

    heatmap = page[page.index('<div class="heatmap"') :]
    heatmap = heatmap[: heatmap.index("</div>")]
    assert heatmap.count('<span class="heatmap__cell') == 182  # 26 weeks
    assert '<span class="heatmap__cell heatmap__cell--1" title="Wed 6 May: 10 XP">' in heatmap
    assert '<span class="heatmap__cell heatmap__cell--3" title="Thu 7 May: 100 XP">' in heatmap
    # The last cell is the learner's today (8 May in Auckland, still 7 May in UTC).
    assert heatmap.rstrip().endswith('title="Fri 8 May: 0 XP"></span>')
    assert "<tr><td>Wed 6 May 2026</td><td>10</td></tr>" in page
    assert "<tr><td>Thu 7 May 2026</td><td>100</td></tr>" in page
