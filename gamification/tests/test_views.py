"""The profile and leaderboard pages, their query budgets, and the Open Badges assertion."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses.tests.factories import StudentFactory
from gamification import services
from gamification.models import EarnedAchievement, GamificationProfile

pytestmark = pytest.mark.django_db


def _grant(user, amount: int, key: str) -> None:
    services.xp_award(user=user, action="manual_grant", idempotency_key=key, amount=amount)


def test_the_profile_needs_a_sign_in(client) -> None:
    response = client.get(reverse("gamification:profile"))
    assert response.status_code == 302


@pytest.mark.parametrize("entries", [2, 15])
def test_the_profile_shows_level_badges_calendar_and_history_in_fixed_queries(
    client, learner, entries, django_assert_max_num_queries
) -> None:
    for n in range(entries):
        _grant(learner, 10, f"p{n}")
    services.achievements_evaluate(user=learner)
    client.force_login(learner)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("gamification:profile"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{entries * 10} XP" in html
    assert "Achievements (" in html
    assert 'id="level-progress"' in html
    assert "XP history" in html


def test_hiding_from_leaderboards_from_the_profile(client, learner) -> None:
    client.force_login(learner)
    response = client.post(reverse("gamification:visibility"), {"is_hidden": "1"})
    assert response.status_code == 302
    assert GamificationProfile.objects.get(user=learner).is_hidden_from_leaderboards


@pytest.mark.parametrize("users", [3, 12])
def test_the_leaderboard_page_runs_fixed_queries_and_marks_me(
    client, learner, users, django_assert_max_num_queries
) -> None:
    for n in range(users):
        _grant(StudentFactory(display_name=f"Runner {n}"), 100 + n, f"u{n}")
    _grant(learner, 1, "me")
    client.force_login(learner)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("gamification:leaderboard"), {"period": "all"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Runner {users - 1}" in html
    assert "Lena Learner (you)" in html
    assert 'aria-current="page"' in html


def test_a_bad_leaderboard_scope_redirects_with_a_message(client) -> None:
    response = client.get(reverse("gamification:leaderboard"), {"scope": "galaxy"})
    assert response.status_code == 302
    assert client.get(reverse("gamification:leaderboard"), {"scope": "course"}).status_code == 404


def test_an_earned_badge_is_an_open_badges_assertion(client, learner) -> None:
    _grant(learner, 120, "x")
    services.achievements_evaluate(user=learner)
    earned = EarnedAchievement.objects.get(user=learner, code="xp-100")
    url = reverse("gamification:badge_assertion", args=[earned.assertion_id])
    body = client.get(url).json()
    assert body["type"] == "Assertion"
    assert body["recipient"]["identity"] == learner.email
    assert body["badge"].endswith("/gamification/badges/xp-100.json")
    badge = client.get(reverse("gamification:badge_class", args=["xp-100"])).json()
    assert (badge["type"], badge["name"]) == ("BadgeClass", "First hundred")
