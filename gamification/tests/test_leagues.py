"""Weekly leagues: cohorts of active learners, weekly XP, promotion and demotion settled once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from courses.tests.factories import StudentFactory
from gamification import leagues, services, tasks
from gamification.models import LeagueCohort, LeagueMembership, LearnerStats
from gamification.rules import Action
from gamification.selectors import league_get

pytestmark = pytest.mark.django_db

WEDNESDAY = dt.datetime(2026, 5, 6, 12, 0, tzinfo=dt.UTC)
WEEK = dt.date(2026, 5, 4)
NEXT_MONDAY = dt.datetime(2026, 5, 11, 0, 20, tzinfo=dt.UTC)


def _grant(user: User, amount: int, key: str, at: dt.datetime = WEDNESDAY) -> None:
    with time_machine.travel(at, tick=False):
        services.xp_award(
            user=user, action=Action.MANUAL_GRANT, idempotency_key=key, amount=amount, at=at
        )


def test_zone_sizes_scale_with_the_cohort_and_spare_the_top_and_bottom_tiers() -> None:
    assert leagues.zone_sizes(size=30, tier=3) == (7, 5)
    assert leagues.zone_sizes(size=10, tier=3) == (3, 1)
    assert leagues.zone_sizes(size=30, tier=1) == (7, 0)  # nobody falls below Bronze
    assert leagues.zone_sizes(size=30, tier=10) == (0, 5)  # nobody rises above Diamond
    assert leagues.zone_sizes(size=1, tier=5) == (1, 0)
    assert (leagues.tier_name(1), leagues.tier_name(10)) == ("Bronze", "Diamond")


def test_the_weeks_first_xp_joins_a_cohort_and_later_xp_adds_up(student: User) -> None:
    _grant(student, 30, "a")
    _grant(student, 12, "b", at=WEDNESDAY + dt.timedelta(days=2))

    membership = LeagueMembership.objects.get(user=student)
    assert (membership.week_start, membership.tier, membership.xp) == (WEEK, 1, 42)
    assert membership.cohort.member_count == 1


def test_cohorts_hold_thirty_learners_and_the_thirty_first_opens_another() -> None:
    learners = [StudentFactory() for _ in range(31)]
    for index, learner in enumerate(learners):
        _grant(learner, 10 + index, f"k{index}")

    cohorts = list(LeagueCohort.objects.order_by("number"))
    assert [(c.number, c.member_count) for c in cohorts] == [(1, 30), (2, 1)]
    assert LeagueMembership.objects.get(user=learners[-1]).cohort == cohorts[1]


def test_learners_hidden_from_leaderboards_join_no_cohort(student: User) -> None:
    services.leaderboard_visibility_set(user=student, hidden=True)
    _grant(student, 30, "a")
    assert not LeagueMembership.objects.exists()


def test_settling_promotes_the_top_demotes_the_bottom_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    learners = [StudentFactory() for _ in range(10)]
    LearnerStats.objects.bulk_create([LearnerStats(user=u, league_tier=3) for u in learners])
    for index, learner in enumerate(learners):
        _grant(learner, 100 - index * 5, f"k{index}")  # learners[0] leads, learners[9] trails

    with time_machine.travel(NEXT_MONDAY, tick=False):
        assert tasks.leagues_settle.delay().get() == 1
        assert tasks.leagues_settle.delay().get() == 0  # a retried or doubled job changes nothing

    tiers = dict(LearnerStats.objects.values_list("user_id", "league_tier"))
    assert [tiers[u.pk] for u in learners] == [4, 4, 4, 3, 3, 3, 3, 3, 3, 2]
    results = dict(LeagueMembership.objects.values_list("user_id", "result"))
    assert [results[u.pk] for u in learners[:4]] == ["promoted"] * 3 + ["stayed"]
    assert results[learners[9].pk] == "demoted"
    assert LeagueCohort.objects.get().settled_at == NEXT_MONDAY


def test_a_week_is_settled_only_when_it_has_ended(student: User) -> None:
    _grant(student, 50, "a")
    with time_machine.travel(WEDNESDAY + dt.timedelta(days=4, hours=11), tick=False):  # Sun 23:00
        assert services.leagues_settle() == 0
    assert LearnerStats.objects.get(user=student).league_tier == 1


def test_the_next_week_a_promoted_learner_competes_in_the_higher_tier(student: User) -> None:
    _grant(student, 50, "a")
    with time_machine.travel(NEXT_MONDAY, tick=False):
        services.leagues_settle()
    _grant(student, 5, "b", at=NEXT_MONDAY + dt.timedelta(hours=1))

    this_week, last_week = LeagueMembership.objects.order_by("-week_start")
    assert (last_week.tier, last_week.result, last_week.final_rank) == (1, "promoted", 1)
    assert (this_week.tier, this_week.xp) == (2, 5)
    with time_machine.travel(NEXT_MONDAY + dt.timedelta(hours=2), tick=False):
        view = league_get(user=student)
    assert (view.tier_name, view.me.rank, view.me.xp) == ("Silver", 1, 5)  # type: ignore[union-attr]
    assert [(w.tier_name, w.result_label) for w in view.history] == [("Bronze", "Promoted")]


def test_xp_after_settlement_does_not_change_a_settled_week(student: User) -> None:
    _grant(student, 50, "a")
    with time_machine.travel(NEXT_MONDAY, tick=False):
        services.leagues_settle()
        services.xp_award(
            user=student,
            action=Action.MANUAL_GRANT,
            idempotency_key="late",
            amount=7,
            at=WEDNESDAY,  # a retried job delivering last week's event late
        )
    assert list(LeagueMembership.objects.values_list("xp", flat=True)) == [50]


def test_the_league_page_shows_the_cohort_zones_and_history(
    student: User, django_assert_max_num_queries: Any
) -> None:
    others = [StudentFactory(display_name=f"Rival {n}") for n in range(9)]
    LearnerStats.objects.bulk_create([LearnerStats(user=u, league_tier=2) for u in others])
    LearnerStats.objects.create(user=student, league_tier=2)
    for index, other in enumerate(others):
        _grant(other, 100 + index, f"o{index}")
    _grant(student, 1, "me")
    client = Client()
    client.force_login(student)
    with time_machine.travel(WEDNESDAY, tick=False), django_assert_max_num_queries(12):
        response = client.get("/league/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Silver league" in page
    assert page.index("Rival 8") < page.index("Rival 0")
    assert page.count("Promotion zone") == 3
    assert page.count("Demotion zone") == 1
    assert "You are <strong>#10</strong> with 1 XP" in page


def test_the_league_api_runs_the_same_queries_for_any_cohort_size(
    student: User, django_assert_num_queries: Any
) -> None:
    client = APIClient()
    client.force_authenticate(student)
    _grant(student, 1, "me")
    for size in (2, 25):
        for index in range(size):
            _grant(StudentFactory(), 10 + index, f"{size}-{index}")
        with (
            time_machine.travel(WEDNESDAY, tick=False),
            django_assert_num_queries(3),
        ):  # stats, weeks, cohort
            body = client.get("/api/v1/gamification/league").json()
        assert body["tier_name"] == "Bronze"
        assert body["me"]["rank"] == len(body["results"])
    assert len(body["results"]) == 28
    assert {row["zone"] for row in body["results"][:7]} == {"promotion"}
