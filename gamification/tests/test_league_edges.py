"""League, streak-reminder and XP-table edges: late awards, a cohort settled twice, reminders
once a day and only when the streak really ends tonight, the stored XP table kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError

from accounts.models import User
from courses.tests.factories import StudentFactory
from gamification import events, services
from gamification.exceptions import InvalidAwardError, LeagueCohortBusyError
from gamification.models import (
    LeagueCohort,
    LeagueMembership,
    LearnerStats,
    XpActionSetting,
    XpSettings,
    XpTransaction,
)
from gamification.rules import Action

pytestmark = pytest.mark.django_db

WEDNESDAY = dt.datetime(2026, 5, 6, 12, 0, tzinfo=dt.UTC)
LAST_WEDNESDAY = WEDNESDAY - dt.timedelta(days=7)
NEXT_MONDAY = dt.datetime(2026, 5, 11, 0, 20, tzinfo=dt.UTC)


def test_a_late_award_for_last_week_joins_no_cohort_but_counts_as_xp(student: User) -> None:
    with time_machine.travel(WEDNESDAY, tick=False):
        services.xp_award(
            user=student,
            action=Action.MANUAL_GRANT,
            idempotency_key="late",
            amount=40,
            at=LAST_WEDNESDAY,
        )

    assert not LeagueMembership.objects.exists()
    assert not LeagueCohort.objects.exists()
    assert LearnerStats.objects.get(user=student).total_xp == 40


def test_a_cohort_settled_by_an_earlier_run_is_not_settled_again(student: User) -> None:
    with time_machine.travel(WEDNESDAY, tick=False):
        services.xp_award(
            user=student, action=Action.MANUAL_GRANT, idempotency_key="a", amount=30, at=WEDNESDAY
        )
    with time_machine.travel(NEXT_MONDAY, tick=False):
        assert services.leagues_settle() == 1
        cohort = LeagueCohort.objects.get()
        settled_at = cohort.settled_at
        LearnerStats.objects.filter(user=student).update(league_tier=7)  # moved on since
        # A second run that listed the cohort before the first one finished finds it settled.
        assert services._league_cohort_settle(cohort_id=cohort.pk) is False

    cohort.refresh_from_db()
    assert cohort.settled_at == settled_at
    assert LearnerStats.objects.get(user=student).league_tier == 7


def _at_risk(user: User, *, last_active: dt.date, freezes: int = 0) -> None:
    LearnerStats.objects.update_or_create(
        user=user,
        defaults={
            "current_streak": 4,
            "longest_streak": 4,
            "last_active_date": last_active,
            "streak_freezes": freezes,
        },
    )


def _announced(now: dt.datetime, capture: Any) -> list[tuple[int, int]]:
    """Who hears `streak_at_risk` (sent after commit) from one run of the hourly check."""
    heard: list[tuple[int, int]] = []

    def receiver(sender: Any, user: User, streak: int, **kwargs: Any) -> None:
        heard.append((user.pk, streak))

    events.streak_at_risk.connect(receiver, weak=False)
    try:
        with capture(execute=True):
            services.streak_risks_announce(now=now)
    finally:
        events.streak_at_risk.disconnect(receiver)
    return heard


def test_the_streak_reminder_comes_once_in_the_evening_and_only_when_tonight_ends_it(
    django_capture_on_commit_callbacks: Any,
) -> None:
    evening = dt.datetime(2026, 5, 6, 19, 0, tzinfo=dt.UTC)
    yesterday = evening.date() - dt.timedelta(days=1)
    at_risk = StudentFactory(time_zone="UTC")
    bridged = StudentFactory(time_zone="UTC")  # a freeze still covers tonight
    broken = StudentFactory(time_zone="UTC")  # missed yesterday too, no freeze: already over
    morning_learner = StudentFactory(time_zone="Asia/Tokyo")  # 04:00 there: too early
    closed = StudentFactory(time_zone="UTC", is_active=False)
    _at_risk(at_risk, last_active=yesterday)
    _at_risk(bridged, last_active=yesterday, freezes=1)
    _at_risk(broken, last_active=yesterday - dt.timedelta(days=1))
    _at_risk(morning_learner, last_active=yesterday + dt.timedelta(days=1))
    _at_risk(closed, last_active=yesterday)

    capture = django_capture_on_commit_callbacks
    assert _announced(evening, capture) == [(at_risk.pk, 4)]
    assert _announced(evening + dt.timedelta(hours=2), capture) == []  # once per learner a day


def test_the_stored_xp_table_is_kept_when_asked_for_again() -> None:
    table = services.xp_settings_get_or_create()
    XpActionSetting.objects.filter(table=table, action=Action.LESSON_COMPLETED).update(base=77)
    rows = XpActionSetting.objects.count()

    again = services.xp_settings_get_or_create()

    assert again.pk == table.pk
    assert XpSettings.objects.count() == 1
    assert XpActionSetting.objects.count() == rows
    assert XpActionSetting.objects.get(action=Action.LESSON_COMPLETED).base == 77


def test_an_award_from_a_clock_behind_the_settling_one_joins_no_settled_cohort(
    student: User,
) -> None:
    """The settling worker's clock already says Monday; a worker whose clock is behind still
    says Sunday and awards for that week: a learner with a place there keeps it settled."""
    sunday = NEXT_MONDAY - dt.timedelta(hours=1)
    with time_machine.travel(WEDNESDAY, tick=False):
        services.xp_award(
            user=student, action=Action.MANUAL_GRANT, idempotency_key="a", amount=30, at=WEDNESDAY
        )
    assert services.leagues_settle(now=NEXT_MONDAY) == 1
    place = LeagueMembership.objects.get(user=student)

    with time_machine.travel(sunday, tick=False):
        services.xp_award(
            user=student, action=Action.MANUAL_GRANT, idempotency_key="b", amount=20, at=sunday
        )

    assert list(LeagueMembership.objects.filter(user=student)) == [place]
    place.refresh_from_db()
    assert place.xp == 30  # the settled week's standings do not move
    assert LeagueCohort.objects.count() == 1
    assert LearnerStats.objects.get(user=student).total_xp == 50


def test_only_a_week_that_has_ended_can_be_settled_as_history() -> None:
    with time_machine.travel(WEDNESDAY, tick=False), pytest.raises(InvalidAwardError):
        services.weekly_boards_settle(week_start=WEDNESDAY.date() - dt.timedelta(days=2))


def test_an_award_that_loses_every_race_for_a_new_cohort_fails_whole(
    student: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty lost races in a row (another learner always opening the cohort first) end the
    award with a transient error (try again), and the transaction records nothing at all."""

    def always_taken(**fields: Any) -> LeagueCohort:
        raise IntegrityError("gamif_cohort_number_once")

    monkeypatch.setattr(LeagueCohort.objects, "create", always_taken)
    with time_machine.travel(WEDNESDAY, tick=False), pytest.raises(LeagueCohortBusyError) as lost:
        services.xp_award(
            user=student, action=Action.MANUAL_GRANT, idempotency_key="x", amount=10, at=WEDNESDAY
        )

    assert (lost.value.status_code, lost.value.code) == (409, "league_busy")
    assert not LeagueMembership.objects.exists()
    assert not XpTransaction.objects.filter(user=student).exists()


def test_the_xp_task_tries_again_after_losing_every_race_and_awards_once(
    student: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The learning event's task retries a lost placement (LeagueCohortBusyError is transient)
    instead of dropping the XP: the retry seats the learner and mints the award exactly once."""
    from gamification import tasks

    real_create = LeagueCohort.objects.create
    lost_races = []

    def taken_twenty_times(**fields: Any) -> LeagueCohort:
        if len(lost_races) < 20:
            lost_races.append(fields)
            raise IntegrityError("gamif_cohort_number_once")
        return real_create(**fields)

    monkeypatch.setattr(LeagueCohort.objects, "create", taken_twenty_times)
    with time_machine.travel(WEDNESDAY, tick=False):
        result = tasks.learning_rewarded.apply(
            args=(student.pk, Action.LESSON_COMPLETED, "lesson-1"),
            kwargs={"at": WEDNESDAY.isoformat()},
            throw=False,
        )

    assert len(lost_races) == 20
    assert result.successful()  # the first run lost all twenty races; its retry got a seat
    assert XpTransaction.objects.filter(user=student, idempotency_key="lesson-1").count() == 1
    assert LeagueMembership.objects.get(user=student).cohort.number == 1
