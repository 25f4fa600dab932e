"""XP earned and streaks at risk become notifications, from gamification's own services and its
hourly streak check: coalesced per day, once per fact, and never in relax mode."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.core.cache import cache

from accounts.models import User
from courses import services as course_services
from courses.tests.factories import EnrollmentFactory, StudentFactory, course_with_outline
from gamification import services as gamification_services
from gamification import tasks as gamification_tasks
from gamification.models import ActivityDay, LearnerStats
from gamification.rules import Action
from learning import services as learning_services
from notifications import services
from notifications.models import Kind, Notification
from notifications.receivers import xp_milestone_crossed

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _award(user: User, amount: int, key: str, at: dt.datetime | None = None) -> None:
    gamification_services.xp_award(
        user=user,
        action=Action.MANUAL_GRANT,
        idempotency_key=key,
        amount=amount,
        reason="Helped in the live session",
        at=at,
    )


def _titles(user: User, kind: str) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind=kind)
        .order_by("id")
        .values_list("title", flat=True)
    )


@pytest.mark.parametrize(
    ("before", "after", "crossed"),
    [(0, 49, None), (0, 50, 50), (49, 60, 50), (60, 99, None), (60, 420, 400), (790, 1700, 1600)],
)
def test_the_daily_milestones_are_50_100_200_400_then_every_doubling(
    before: int, after: int, crossed: int | None
) -> None:
    assert xp_milestone_crossed(before=before, after=after) == crossed


def test_xp_is_told_once_per_daily_milestone_not_per_award(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    noon = dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        _award(student, 30, "a", noon)
    assert _titles(student, Kind.XP_GAINED) == []
    with django_capture_on_commit_callbacks(execute=True):
        _award(student, 30, "b", noon)
        _award(student, 30, "c", noon)
        _award(student, 30, "d", noon)
        _award(student, 300, "e", noon)  # passes 200 and 400: one line, for 400
        _award(student, 30, "e", noon)  # a repeated key mints nothing and tells nothing
        _award(student, 60, "next-day", noon + dt.timedelta(days=1))

    assert _titles(student, Kind.XP_GAINED) == [
        "60 XP today",
        "120 XP today",
        "420 XP today",
        "60 XP today",
    ]
    latest = Notification.objects.filter(kind=Kind.XP_GAINED).order_by("id")[2]
    assert latest.body == ("You passed 400 XP today. Latest: +300 XP, Helped in the live session.")
    assert latest.link == "/progress/"
    assert latest.dedupe_key == "xp-day:2026-03-04:400"


def test_finishing_lessons_tells_the_days_xp_in_the_app_only_by_default(
    student: User,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list,
    vapid: Any,
    push_tasks_run: list[int],
) -> None:
    course = course_with_outline(modules=1, lessons_per_module=8)
    EnrollmentFactory(course=course, learner=student)
    lessons = list(course.modules.get().lessons.order_by("order"))
    day_totals = []
    for lesson in lessons[:-1]:  # the last one would finish the course (100 XP more)
        with django_capture_on_commit_callbacks(execute=True):
            course_services.lesson_complete(learner=student, lesson=lesson)
        day_totals.append(ActivityDay.objects.get(user=student).xp)
        told = _titles(student, Kind.XP_GAINED)
        # Quiet until the day's XP reaches 50, then one line, and quiet again.
        assert told == ([] if day_totals[-1] < 50 else [f"{_first_over(day_totals, 50)} XP today"])
    assert day_totals[-1] >= 50
    assert day_totals[-1] < 100
    # In the app only, by default: no email, and push (VAPID keys are set) was never tried.
    assert mailoutbox == []
    assert services.preference_channels(user=student, kind=Kind.XP_GAINED).push is False
    xp_line = Notification.objects.get(kind=Kind.XP_GAINED)
    assert push_tasks_run  # other kinds (the first badge) did go to push
    assert xp_line.pk not in push_tasks_run


def _first_over(totals: list[int], milestone: int) -> int:
    return next(total for total in totals if total >= milestone)


# --- Streak at risk -------------------------------------------------------------------------------


@pytest.fixture
def push_tasks_run() -> Any:
    """The notification ids the web push job ran for."""
    from celery.signals import task_prerun

    ran: list[int] = []

    def record(sender: Any = None, args: Any = None, **_: Any) -> None:
        if sender is not None and sender.name == "notifications.push":
            ran.append(args[0])

    task_prerun.connect(record, weak=False)
    yield ran
    task_prerun.disconnect(record)


def _learner_with_streak(days: int, *, time_zone: str = "Europe/Paris") -> User:
    """A learner who learned on each of the `days` local days before 4 March 2026."""
    learner = StudentFactory(time_zone=time_zone)
    zone = zoneinfo.ZoneInfo(time_zone)
    first = dt.date(2026, 3, 4) - dt.timedelta(days=days)
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        gamification_services.activity_record(
            user=learner, at=dt.datetime.combine(day, dt.time(9), tzinfo=zone)
        )
    return learner


def _check_at(local: dt.datetime) -> None:
    with time_machine.travel(local, tick=False):
        gamification_tasks.streaks_check.delay()


def test_the_hourly_check_warns_once_in_the_evening_of_the_last_day(
    django_capture_on_commit_callbacks: Any,
) -> None:
    learner = _learner_with_streak(5)
    assert LearnerStats.objects.get(user=learner).current_streak == 5
    with django_capture_on_commit_callbacks(execute=True):
        _check_at(dt.datetime(2026, 3, 4, 17, 0, tzinfo=PARIS))
    assert _titles(learner, Kind.STREAK_AT_RISK) == []
    with django_capture_on_commit_callbacks(execute=True):
        _check_at(dt.datetime(2026, 3, 4, 18, 0, tzinfo=PARIS))
        _check_at(dt.datetime(2026, 3, 4, 19, 0, tzinfo=PARIS))
        cache.clear()  # another worker, or a cache that lost the mark: still once
        _check_at(dt.datetime(2026, 3, 4, 20, 0, tzinfo=PARIS))

    assert _titles(learner, Kind.STREAK_AT_RISK) == ["Your 5-day streak ends tonight"]
    notification = Notification.objects.get(kind=Kind.STREAK_AT_RISK)
    assert notification.body == "Finish a lesson or a review before midnight to keep it going."
    assert notification.link == "/dashboard/"
    assert notification.dedupe_key == "streak-risk:2026-03-04"


def test_learners_in_other_time_zones_are_warned_at_their_own_evening(
    django_capture_on_commit_callbacks: Any,
) -> None:
    paris = _learner_with_streak(2)
    los_angeles = _learner_with_streak(2, time_zone="America/Los_Angeles")
    with django_capture_on_commit_callbacks(execute=True):
        _check_at(dt.datetime(2026, 3, 4, 18, 0, tzinfo=PARIS))  # 09:00 in Los Angeles
    assert _titles(paris, Kind.STREAK_AT_RISK) == ["Your 2-day streak ends tonight"]
    assert _titles(los_angeles, Kind.STREAK_AT_RISK) == []
    with django_capture_on_commit_callbacks(execute=True):
        _check_at(dt.datetime(2026, 3, 4, 18, 0, tzinfo=zoneinfo.ZoneInfo("America/Los_Angeles")))
    assert _titles(los_angeles, Kind.STREAK_AT_RISK) == ["Your 2-day streak ends tonight"]
    assert Notification.objects.get(recipient=los_angeles).dedupe_key == "streak-risk:2026-03-04"


def test_no_warning_after_learning_today_with_a_freeze_left_or_in_relax_mode(
    django_capture_on_commit_callbacks: Any,
) -> None:
    learned_today = _learner_with_streak(3)
    gamification_services.activity_record(
        user=learned_today, at=dt.datetime(2026, 3, 4, 8, tzinfo=PARIS)
    )
    with_freeze = _learner_with_streak(3)
    LearnerStats.objects.filter(user=with_freeze).update(streak_freezes=1)
    relaxed = _learner_with_streak(3)
    learning_services.preference_update(user=relaxed, mode="relax")
    broken = _learner_with_streak(3)
    LearnerStats.objects.filter(user=broken).update(
        last_active_date=dt.date(2026, 3, 1)
    )  # missed 2 and 3 March: the check ends this streak instead

    with django_capture_on_commit_callbacks(execute=True):
        _check_at(dt.datetime(2026, 3, 4, 18, 30, tzinfo=PARIS))

    assert not Notification.objects.filter(kind=Kind.STREAK_AT_RISK).exists()
    assert LearnerStats.objects.get(user=broken).current_streak == 0
    # A day later the freeze cannot bridge another missed day, and today's learner has not
    # learned yet: both are warned; relax mode still hides it.
    with django_capture_on_commit_callbacks(execute=True):
        _check_at(dt.datetime(2026, 3, 5, 18, 30, tzinfo=PARIS))
    warned = Notification.objects.filter(kind=Kind.STREAK_AT_RISK)
    assert sorted(warned.values_list("recipient", flat=True)) == sorted(
        [learned_today.pk, with_freeze.pk]
    )
    assert set(warned.values_list("title", flat=True)) == {
        "Your 4-day streak ends tonight",
        "Your 3-day streak ends tonight",
    }
