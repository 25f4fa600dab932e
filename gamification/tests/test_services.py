"""xp_award: exactly once per key, the formula by default, caps, levels, manual grants."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from gamification import services
from gamification.exceptions import (
    GrantNotAllowedError,
    IdempotencyConflictError,
    InvalidAwardError,
)
from gamification.models import GamificationProfile, LevelUp, XpLedgerEntry
from gamification.tests.ledger import ledger_total

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def _profile(user) -> GamificationProfile:
    return GamificationProfile.objects.get(user=user)


def test_the_same_key_posts_once_and_returns_the_first_entry(learner, course) -> None:
    first = services.xp_award(
        user=learner, action="manual_grant", idempotency_key="k1", amount=30, course=course
    )
    again = services.xp_award(
        user=learner, action="manual_grant", idempotency_key="k1", amount=999, course=course
    )
    assert again == first
    assert XpLedgerEntry.objects.filter(user=learner).count() == 1
    assert (_profile(learner).xp_total, ledger_total(learner)) == (30, 30)


def test_a_key_reused_for_another_user_is_a_conflict_and_changes_nothing(
    learner, other_learner
) -> None:
    services.xp_award(user=learner, action="manual_grant", idempotency_key="k", amount=5)
    with pytest.raises(IdempotencyConflictError):
        services.xp_award(user=other_learner, action="manual_grant", idempotency_key="k", amount=5)
    assert ledger_total(other_learner) == 0


@time_machine.travel(MONDAY, tick=False)
def test_a_lesson_earns_base_times_difficulty_plus_the_streak_day(learner, course) -> None:
    course.difficulty = "advanced"
    course.save(update_fields=["difficulty"])
    entry = services.xp_award(
        user=learner, action="lesson_completed", idempotency_key="lesson:1", course=course
    )
    # base 10 x 1.5 + streak bonus 1 (day one of the streak); then the streak day itself: 5.
    assert entry.amount == 16
    assert list(
        XpLedgerEntry.objects.filter(user=learner).order_by("id").values_list("action", "amount")
    ) == [("lesson_completed", 16), ("streak_day", 5)]
    profile = _profile(learner)
    assert (profile.xp_total, profile.current_streak, profile.active_days) == (21, 1, 1)


@time_machine.travel(MONDAY, tick=False)
def test_a_second_lesson_the_same_day_earns_no_second_streak_day(learner, course) -> None:
    for key in ("a", "b"):
        services.xp_award(user=learner, action="lesson_completed", idempotency_key=key)
    assert XpLedgerEntry.objects.filter(user=learner, action="streak_day").count() == 1
    assert ledger_total(learner) == 11 + 11 + 5


@time_machine.travel(MONDAY, tick=False)
def test_the_daily_cap_per_action_stops_minting(learner, settings) -> None:
    settings.GAMIFICATION_XP_RULES = {"daily_cap": {"quiz_passed": 2}}
    results = [
        services.xp_award(user=learner, action="quiz_passed", idempotency_key=f"q{n}")
        for n in range(3)
    ]
    assert results[2] is None
    assert XpLedgerEntry.objects.filter(user=learner, action="quiz_passed").count() == 2
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        assert services.xp_award(user=learner, action="quiz_passed", idempotency_key="q9")


def test_levels_rise_with_xp_and_each_level_up_is_recorded(learner) -> None:
    services.xp_award(user=learner, action="manual_grant", idempotency_key="g1", amount=130)
    assert _profile(learner).level == 3
    assert sorted(LevelUp.objects.filter(user=learner).values_list("level", flat=True)) == [2, 3]
    services.xp_award(user=learner, action="manual_grant", idempotency_key="g2", amount=-100)
    assert (_profile(learner).xp_total, _profile(learner).level) == (30, 1)
    assert LevelUp.objects.filter(user=learner).count() == 2  # history stays


def test_streak_freezes_are_earned_by_xp_at_most_two_held(learner) -> None:
    services.xp_award(user=learner, action="manual_grant", idempotency_key="g", amount=1600)
    profile = _profile(learner)
    assert (profile.streak_freezes, profile.freezes_earned) == (2, 3)


@pytest.mark.parametrize("bad", [True, 1.5, "3"])
def test_a_non_integer_amount_is_refused(learner, bad) -> None:
    with pytest.raises(InvalidAwardError):
        services.xp_award(user=learner, action="manual_grant", idempotency_key="x", amount=bad)
    assert XpLedgerEntry.objects.count() == 0


def test_an_admin_grants_xp_once_per_key(admin_user, learner) -> None:
    entry, created = services.xp_grant(
        granted_by=admin_user, user=learner, amount=25, reason="Hackathon", idempotency_key="h"
    )
    again, created_again = services.xp_grant(
        granted_by=admin_user, user=learner, amount=25, reason="Hackathon", idempotency_key="h"
    )
    assert (created, created_again, again.pk) == (True, False, entry.pk)
    assert ledger_total(learner) == 25
    assert entry.reason.startswith("Hackathon (by ")


def test_an_instructor_grants_only_to_learners_of_their_course(instructor, learner, course) -> None:
    from courses.services import enrollment_create

    with pytest.raises(GrantNotAllowedError):
        services.xp_grant(
            granted_by=instructor, user=learner, amount=5, reason="x", idempotency_key="a"
        )
    with pytest.raises(GrantNotAllowedError):
        services.xp_grant(
            granted_by=instructor,
            user=learner,
            amount=5,
            reason="x",
            idempotency_key="a",
            course=course,
        )
    enrollment_create(learner=learner, course=course)
    services.xp_grant(
        granted_by=instructor,
        user=learner,
        amount=5,
        reason="x",
        idempotency_key="a",
        course=course,
    )
    assert ledger_total(learner) == 5


def test_students_cannot_grant(learner, other_learner) -> None:
    with pytest.raises(GrantNotAllowedError):
        services.xp_grant(
            granted_by=learner, user=other_learner, amount=5, reason="x", idempotency_key="a"
        )
    assert ledger_total(other_learner) == 0
