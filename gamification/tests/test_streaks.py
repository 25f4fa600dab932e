"""Daily streaks counted in the learner's own time zone, across midnight and DST changes."""

from __future__ import annotations

import datetime as dt

import pytest

from gamification import selectors, services
from gamification.models import ActivityDay, GamificationProfile

pytestmark = pytest.mark.django_db


def _learn(user, at: dt.datetime, key: str) -> None:
    services.xp_award(user=user, action="lesson_completed", idempotency_key=key, at=at)


def _streak(user) -> tuple[int, int]:
    profile = GamificationProfile.objects.get(user=user)
    return profile.current_streak, profile.longest_streak


def test_two_moments_on_one_utc_day_are_two_local_days_across_the_learners_midnight(
    learner,
) -> None:
    learner.time_zone = "America/New_York"
    learner.save(update_fields=["time_zone"])
    _learn(learner, dt.datetime(2026, 1, 10, 4, 30, tzinfo=dt.UTC), "a")  # 9 Jan 23:30 local
    _learn(learner, dt.datetime(2026, 1, 10, 5, 30, tzinfo=dt.UTC), "b")  # 10 Jan 00:30 local
    assert _streak(learner) == (2, 2)
    assert sorted(ActivityDay.objects.filter(user=learner).values_list("date", flat=True)) == [
        dt.date(2026, 1, 9),
        dt.date(2026, 1, 10),
    ]


def test_two_utc_days_can_be_one_local_day(learner) -> None:
    learner.time_zone = "Asia/Kolkata"  # UTC+5:30
    learner.save(update_fields=["time_zone"])
    _learn(learner, dt.datetime(2026, 1, 9, 19, 0, tzinfo=dt.UTC), "a")  # 10 Jan 00:30 local
    _learn(learner, dt.datetime(2026, 1, 10, 18, 0, tzinfo=dt.UTC), "b")  # 10 Jan 23:30 local
    assert _streak(learner) == (1, 1)


def test_a_streak_survives_the_spring_forward_night(learner) -> None:
    learner.time_zone = "Europe/Berlin"  # DST starts 29 March 2026 at 02:00 local
    learner.save(update_fields=["time_zone"])
    _learn(learner, dt.datetime(2026, 3, 28, 22, 30, tzinfo=dt.UTC), "a")  # 28 Mar 23:30 CET
    _learn(learner, dt.datetime(2026, 3, 29, 21, 30, tzinfo=dt.UTC), "b")  # 29 Mar 23:30 CEST
    _learn(learner, dt.datetime(2026, 3, 29, 22, 30, tzinfo=dt.UTC), "c")  # 30 Mar 00:30 CEST
    assert _streak(learner) == (3, 3)


def test_a_streak_survives_the_fall_back_night_without_double_counting(learner) -> None:
    learner.time_zone = "America/New_York"  # DST ends 1 November 2026 at 02:00 local
    learner.save(update_fields=["time_zone"])
    _learn(learner, dt.datetime(2026, 11, 1, 5, 30, tzinfo=dt.UTC), "a")  # 1 Nov 01:30 EDT
    _learn(learner, dt.datetime(2026, 11, 1, 6, 30, tzinfo=dt.UTC), "b")  # 1 Nov 01:30 EST
    _learn(learner, dt.datetime(2026, 11, 2, 4, 59, tzinfo=dt.UTC), "c")  # 1 Nov 23:59 EST
    _learn(learner, dt.datetime(2026, 11, 2, 5, 1, tzinfo=dt.UTC), "d")  # 2 Nov 00:01 EST
    assert _streak(learner) == (2, 2)


def test_a_missed_day_breaks_the_streak_unless_a_freeze_covers_it(learner) -> None:
    day = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)
    _learn(learner, day, "a")
    _learn(learner, day + dt.timedelta(days=1), "b")
    _learn(learner, day + dt.timedelta(days=3), "c")  # missed 3 Feb, no freeze held
    assert _streak(learner) == (1, 2)
    GamificationProfile.objects.filter(user=learner).update(streak_freezes=1)
    _learn(learner, day + dt.timedelta(days=5), "d")  # missed 5 Feb, a freeze covers it
    profile = GamificationProfile.objects.get(user=learner)
    assert (profile.current_streak, profile.streak_freezes) == (2, 0)
    assert ActivityDay.objects.get(user=learner, date=dt.date(2026, 2, 5)).is_frozen


def test_stats_show_a_broken_streak_as_zero_and_the_beat_job_resets_it(learner) -> None:
    day = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)
    _learn(learner, day, "a")
    later = day + dt.timedelta(days=1)
    assert selectors.stats_get(learner, at=later)["current_streak"] == 1
    much_later = day + dt.timedelta(days=3)
    assert selectors.stats_get(learner, at=much_later)["current_streak"] == 0
    assert services.streaks_expire(at=much_later) == 1
    assert _streak(learner) == (0, 1)


def test_the_weekly_streak_counts_consecutive_weeks_with_learning(learner) -> None:
    monday = dt.datetime(2026, 2, 2, 12, 0, tzinfo=dt.UTC)
    for week in range(3):
        _learn(learner, monday + dt.timedelta(weeks=week, days=2), f"w{week}")
    assert selectors.weekly_streak(learner, dt.date(2026, 2, 17)) == 3
    assert selectors.weekly_streak(learner, dt.date(2026, 2, 24)) == 3  # this week still open
    assert selectors.weekly_streak(learner, dt.date(2026, 3, 3)) == 0
