"""XP awards, streaks, levels, freezes and achievements, through the services and real events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db.models import Sum

from accounts.models import User
from courses import services as course_services
from courses.models import Course
from courses.tests.factories import EnrollmentFactory, course_with_outline, quiz_lesson
from gamification import events, services, tasks
from gamification.exceptions import GrantNotAllowedError, InvalidAwardError
from gamification.models import ActivityDay, LearnerStats, LevelUp, UserAchievement, XpTransaction
from gamification.rules import Action

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)  # a Monday


def _total(user: User) -> int:
    return XpTransaction.objects.filter(user=user).aggregate(total=Sum("amount"))["total"] or 0


def _stats(user: User) -> LearnerStats:
    return LearnerStats.objects.get(user=user)


def test_an_award_is_recorded_once_per_idempotency_key(student: User) -> None:
    first = services.xp_award(user=student, action=Action.QUIZ_PASSED, idempotency_key="k1")
    again = services.xp_award(
        user=student, action=Action.QUIZ_PASSED, idempotency_key="k1", amount=999
    )

    assert first is not None
    assert again is not None
    assert (first.created, again.created) == (True, False)
    assert again.transaction.pk == first.transaction.pk
    assert XpTransaction.objects.filter(user=student).count() == 1
    assert _stats(student).total_xp == 25 == _total(student)


def test_a_key_is_required(student: User) -> None:
    with pytest.raises(InvalidAwardError):
        services.xp_award(user=student, action=Action.QUIZ_PASSED, idempotency_key="")
    assert not XpTransaction.objects.exists()


def test_the_daily_cap_trims_an_award_and_then_mints_nothing(student: User) -> None:
    with time_machine.travel(NOON, tick=False):
        for number in range(5):  # 5 x 100 against a cap of 400
            services.xp_award(
                user=student,
                action=Action.LESSON_COMPLETED,
                idempotency_key=f"lesson-{number}",
                amount=100,
            )
    amounts = list(
        XpTransaction.objects.filter(user=student).order_by("id").values_list("amount", flat=True)
    )
    assert amounts == [100, 100, 100, 100]
    assert _stats(student).total_xp == 400
    # The next local day has a fresh cap.
    with time_machine.travel(NOON + dt.timedelta(days=1), tick=False):
        result = services.xp_award(
            user=student, action=Action.LESSON_COMPLETED, idempotency_key="next-day", amount=100
        )
    assert result is not None
    assert result.transaction.amount == 100


def test_levels_follow_the_total_and_each_level_up_is_recorded_once(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    reached: list[int] = []

    def listener(sender: Any, level: int, **_: Any) -> None:
        reached.append(level)

    events.level_reached.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.xp_grant(
                granter=User.objects.create_superuser(email="root@example.com", password="x" * 20),
                user=student,
                amount=400,
                reason="Welcome bonus",
                idempotency_key="welcome",
            )
    finally:
        events.level_reached.disconnect(listener)

    stats = _stats(student)
    assert (stats.total_xp, stats.level) == (400, 4)
    assert list(
        LevelUp.objects.filter(user=student).order_by("level").values_list("level", flat=True)
    ) == [2, 3, 4]
    assert reached == [2, 3, 4]


def test_streak_freezes_are_earned_by_xp_up_to_the_cap(student: User) -> None:
    for number in range(3):
        services.xp_award(
            user=student, action=Action.MANUAL_GRANT, idempotency_key=f"g{number}", amount=600
        )
    stats = _stats(student)
    assert (stats.streak_freezes, stats.streak_freezes_earned) == (2, 3)


def test_a_daily_streak_grows_breaks_and_awards_a_streak_day_once_per_day(student: User) -> None:
    for day in range(3):
        with time_machine.travel(NOON + dt.timedelta(days=day), tick=False):
            services.activity_record(user=student)
            services.activity_record(user=student)  # twice the same day counts once
    assert (_stats(student).current_streak, _stats(student).longest_streak) == (3, 3)
    assert XpTransaction.objects.filter(user=student, action=Action.STREAK_DAY).count() == 3

    with time_machine.travel(NOON + dt.timedelta(days=5), tick=False):
        services.activity_record(user=student)
    stats = _stats(student)
    assert (stats.current_streak, stats.longest_streak) == (1, 3)


def test_a_freeze_bridges_a_missed_day(student: User) -> None:
    LearnerStats.objects.create(user=student, streak_freezes=1)
    with time_machine.travel(NOON, tick=False):
        services.activity_record(user=student)
    with time_machine.travel(NOON + dt.timedelta(days=2), tick=False):
        services.activity_record(user=student)

    stats = _stats(student)
    assert (stats.current_streak, stats.streak_freezes) == (2, 0)
    frozen = ActivityDay.objects.get(user=student, is_frozen=True)
    assert frozen.date == dt.date(2026, 5, 5)


def test_streak_days_are_the_learners_own_days_across_a_time_zone_boundary(student: User) -> None:
    student.time_zone = "America/Los_Angeles"  # UTC-7 in May
    student.save(update_fields=["time_zone"])
    # 23:30 and 01:30 UTC are the same local evening in Los Angeles: one day, not two.
    with time_machine.travel(dt.datetime(2026, 5, 4, 23, 30, tzinfo=dt.UTC), tick=False):
        services.activity_record(user=student)
    with time_machine.travel(dt.datetime(2026, 5, 5, 1, 30, tzinfo=dt.UTC), tick=False):
        services.activity_record(user=student)
    assert _stats(student).current_streak == 1
    assert _stats(student).last_active_date == dt.date(2026, 5, 4)

    # 08:00 UTC the next day is 01:00 local on the 5th: the next local day, so the streak grows.
    with time_machine.travel(dt.datetime(2026, 5, 5, 8, 0, tzinfo=dt.UTC), tick=False):
        services.activity_record(user=student)
    assert _stats(student).current_streak == 2


def test_streaks_survive_a_daylight_saving_change(student: User) -> None:
    student.time_zone = "Europe/Berlin"  # clocks go forward on 29 March 2026 at 02:00
    student.save(update_fields=["time_zone"])
    # 23:30 local on the 28th (22:30 UTC), 23:30 local on the 29th (21:30 UTC: only 23 hours
    # later) and 23:30 local on the 30th: three local days in a row, whatever UTC says.
    moments = [
        dt.datetime(2026, 3, 28, 22, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 29, 21, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 30, 21, 30, tzinfo=dt.UTC),
    ]
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            services.activity_record(user=student)
    stats = _stats(student)
    assert (stats.current_streak, stats.last_active_date) == (3, dt.date(2026, 3, 30))
    days = ActivityDay.objects.filter(user=student).order_by("date")
    assert list(days.values_list("date", flat=True)) == [
        dt.date(2026, 3, 28),
        dt.date(2026, 3, 29),
        dt.date(2026, 3, 30),
    ]
    # An hour later it is 00:30 on the 31st in Berlin: a new local day, so the streak grows.
    with time_machine.travel(dt.datetime(2026, 3, 30, 22, 30, tzinfo=dt.UTC), tick=False):
        services.activity_record(user=student)
    assert _stats(student).current_streak == 4


def test_weekly_streak_counts_consecutive_weeks(student: User) -> None:
    for week in range(3):
        with time_machine.travel(NOON + dt.timedelta(weeks=week, days=2), tick=False):
            services.activity_record(user=student)
    assert _stats(student).current_weekly_streak == 3
    with time_machine.travel(NOON + dt.timedelta(weeks=5), tick=False):
        services.activity_record(user=student)
    stats = _stats(student)
    assert (stats.current_weekly_streak, stats.longest_weekly_streak) == (1, 3)


def _enrolled_course(student: User, difficulty: str = Course.Difficulty.INTERMEDIATE) -> Course:
    course = course_with_outline(modules=1, lessons_per_module=2, difficulty=difficulty)
    EnrollmentFactory(learner=student, course=course)
    return course


def test_completing_a_lesson_awards_the_formula_once_even_if_toggled(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    course = _enrolled_course(student)
    lesson = course.modules.get().lessons.order_by("order").first()

    with time_machine.travel(NOON, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            course_services.lesson_complete(learner=student, lesson=lesson)
        with django_capture_on_commit_callbacks(execute=True):
            course_services.lesson_uncomplete(learner=student, lesson=lesson)
        with django_capture_on_commit_callbacks(execute=True):
            course_services.lesson_complete(learner=student, lesson=lesson)

    lesson_rows = XpTransaction.objects.filter(user=student, action=Action.LESSON_COMPLETED)
    assert lesson_rows.count() == 1
    # base 10 x 1.25 (intermediate) = 12.5 -> 12, plus the 1-day streak bonus of 1.
    row = lesson_rows.get()
    assert (row.amount, row.course_id) == (13, course.pk)
    assert XpTransaction.objects.filter(user=student, action=Action.STREAK_DAY).count() == 1
    assert _stats(student).total_xp == 13 + 5 == _total(student)


def test_passing_a_quiz_awards_once_with_a_perfect_bonus(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    course = _enrolled_course(student, Course.Difficulty.BEGINNER)
    quiz = quiz_lesson(course.modules.get(), order=9, questions=2, max_attempts=None)
    questions = list(quiz.questions.all())
    right = {str(q.pk): q.choices.get(is_correct=True).pk for q in questions}

    with time_machine.travel(NOON, tick=False):
        for _ in range(2):  # passing the same quiz again mints nothing more
            attempt, _ = course_services.quiz_attempt_start(learner=student, quiz=quiz)
            with django_capture_on_commit_callbacks(execute=True):
                course_services.quiz_attempt_submit(learner=student, attempt=attempt, answers=right)

    actions = sorted(XpTransaction.objects.filter(user=student).values_list("action", "amount"))
    assert actions == [
        (Action.LESSON_COMPLETED, 11),  # passing completes the quiz lesson: 10 + 1
        (Action.QUIZ_PASSED, 26),  # 25 x 1.0 + 1 (streak day 1)
        (Action.QUIZ_PERFECT, 10),
        (Action.STREAK_DAY, 5),
    ]


def test_achievements_unlock_once_with_progress_toward_the_next(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    course = _enrolled_course(student)
    lesson = course.modules.get().lessons.order_by("order").first()
    with time_machine.travel(NOON, tick=False), django_capture_on_commit_callbacks(execute=True):
        course_services.lesson_complete(learner=student, lesson=lesson)

    assert set(UserAchievement.objects.filter(user=student).values_list("code", flat=True)) == {
        "lessons-1"
    }
    assert services.achievements_evaluate(user=student) == []  # nothing new, nothing twice
    from gamification.selectors import achievement_list_for_user

    statuses = {s.achievement.code: s for s in achievement_list_for_user(user=student)}
    assert statuses["lessons-1"].is_earned
    assert (statuses["lessons-10"].progress, statuses["lessons-10"].is_earned) == (1, False)


def test_a_night_lesson_in_the_learners_time_unlocks_night_owl(student: User) -> None:
    student.time_zone = "Asia/Tokyo"  # 14:30 UTC is 23:30 in Tokyo
    student.save(update_fields=["time_zone"])
    with time_machine.travel(dt.datetime(2026, 5, 4, 14, 30, tzinfo=dt.UTC), tick=False):
        services.xp_award(user=student, action=Action.LESSON_COMPLETED, idempotency_key="n1")
    codes = {row.code for row in services.achievements_evaluate(user=student)}
    assert "night-owl-1" in codes
    assert "early-bird-1" not in codes


def test_students_cannot_grant_xp_and_instructors_only_in_their_courses(
    student: User, other_student: User, instructor: User, admin_user: User
) -> None:
    with pytest.raises(GrantNotAllowedError):
        services.xp_grant(
            granter=student, user=other_student, amount=5, reason="x", idempotency_key="a"
        )
    with pytest.raises(GrantNotAllowedError):
        services.xp_grant(
            granter=instructor, user=other_student, amount=5, reason="x", idempotency_key="b"
        )
    course = _enrolled_course(other_student)
    course.instructors.set([instructor])
    result = services.xp_grant(
        granter=instructor,
        user=other_student,
        amount=50,
        reason="Great project",
        idempotency_key="c",
        course=course,
    )
    assert (result.transaction.amount, result.transaction.reason) == (50, "Great project")
    with pytest.raises(InvalidAwardError):
        services.xp_grant(
            granter=admin_user, user=other_student, amount=0, reason="x", idempotency_key="d"
        )
    assert _total(other_student) == 50


def test_the_hourly_streak_check_ends_broken_streaks_at_the_learners_own_midnight(
    student: User, other_student: User
) -> None:
    student.time_zone = "Pacific/Auckland"  # UTC+12 in May
    student.save(update_fields=["time_zone"])
    with time_machine.travel(NOON, tick=False):  # Mon 12:00 UTC = Tue 00:00 in Auckland
        services.activity_record(user=student)
        services.activity_record(user=other_student)
    assert _stats(student).last_active_date == dt.date(2026, 5, 5)

    # Wed 06:00 UTC: Tuesday is over in UTC, so the other learner missed it; in Auckland it is
    # Wednesday 18:00, and the student (last active on Tuesday) has missed nothing yet.
    with time_machine.travel(NOON + dt.timedelta(days=1, hours=18), tick=False):
        assert tasks.streaks_check.delay().get() == 1
    assert (_stats(student).current_streak, _stats(other_student).current_streak) == (1, 0)

    # Wed 12:30 UTC is Thursday 00:30 in Auckland: the student's Wednesday went by without learning.
    with time_machine.travel(NOON + dt.timedelta(days=2, minutes=30), tick=False):
        assert services.streaks_check() == 1
        assert services.streaks_check() == 0  # nothing left to end
    assert (_stats(student).current_streak, _stats(other_student).current_streak) == (0, 0)
    assert _stats(student).longest_streak == 1


def test_the_streak_check_leaves_a_gap_that_freezes_can_still_bridge(student: User) -> None:
    LearnerStats.objects.create(user=student, streak_freezes=1)
    with time_machine.travel(NOON, tick=False):
        services.activity_record(user=student)
    with time_machine.travel(NOON + dt.timedelta(days=2), tick=False):  # one missed day, one freeze
        assert services.streaks_check() == 0
    assert _stats(student).current_streak == 1
    with time_machine.travel(NOON + dt.timedelta(days=3), tick=False):  # two missed days
        assert services.streaks_check() == 1
    assert _stats(student).current_streak == 0


# --- spending XP (help-center bounties) -----------------------------------------------------------


def _granted(user: User, amount: int) -> None:
    services.xp_award(
        user=user, action=Action.MANUAL_GRANT, idempotency_key=f"g:{user.pk}", amount=amount
    )


def test_spending_xp_takes_it_out_through_the_ledger_once_and_the_level_follows(
    student: User,
) -> None:
    _granted(student, 2700)  # level 10
    assert _stats(student).level == 10

    first = services.xp_spend(
        user=student, action=Action.BOUNTY_OFFERED, amount=100, idempotency_key="spend-1",
        minimum_level=10,
    )  # fmt: skip
    again = services.xp_spend(
        user=student, action=Action.BOUNTY_OFFERED, amount=100, idempotency_key="spend-1",
        minimum_level=10,
    )  # fmt: skip

    assert (first.created, again.created) == (True, False)
    assert first.transaction.amount == -100
    assert _total(student) == 2600
    assert _stats(student).level == 9  # 2,600 XP is below level 10's 2,610
    assert XpTransaction.objects.filter(action=Action.BOUNTY_OFFERED).count() == 1


def test_spending_is_refused_below_the_level_or_beyond_the_xp_held(student: User) -> None:
    from gamification.exceptions import LevelTooLowError, NotEnoughXpError

    _granted(student, 30)
    with pytest.raises(LevelTooLowError) as low:
        services.xp_spend(
            user=student, action=Action.BOUNTY_OFFERED, amount=10, idempotency_key="a",
            minimum_level=10,
        )  # fmt: skip
    with pytest.raises(NotEnoughXpError) as poor:
        services.xp_spend(
            user=student, action=Action.BOUNTY_OFFERED, amount=31, idempotency_key="b"
        )
    with pytest.raises(InvalidAwardError):
        services.xp_spend(user=student, action=Action.BOUNTY_OFFERED, amount=0, idempotency_key="c")

    assert (low.value.status_code, low.value.extra) == (403, {"level": 1, "required_level": 10})
    assert poor.value.message == "You have 30 XP, fewer than the 31 XP this needs."
    assert poor.value.status_code == 409
    assert _total(student) == 30
    assert not XpTransaction.objects.filter(action=Action.BOUNTY_OFFERED).exists()
