"""The beat schedule and its Monday job: every scheduled task exists, last week is settled."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings

from accounts.models import User
from gamification import tasks
from gamification.models import LeaderboardSnapshot
from gamification.rules import Action
from lms.celery import app

pytestmark = pytest.mark.django_db

MONDAY_MORNING = dt.datetime(2026, 5, 11, 0, 10, tzinfo=dt.UTC)


def test_every_task_on_the_beat_schedule_is_a_registered_task(db: None) -> None:
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled - set(app.tasks) == set()


def test_the_beat_schedule_settles_the_week_on_monday_and_checks_streaks_hourly(
    db: None,
) -> None:
    by_task = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert by_task["gamification.weekly_boards_settle"] == crontab(
        hour=0, minute=10, day_of_week="mon"
    )
    assert by_task["gamification.leagues_settle"] == crontab(hour=0, minute=20, day_of_week="mon")
    assert by_task["gamification.streaks_check"] == crontab(minute=5)
    assert by_task["learning.fsrs_optimize_due_learners"] == crontab(hour=3, minute=30)


def test_the_monday_job_records_last_weeks_boards_and_not_this_weeks(
    award: Any, student: User, other_student: User
) -> None:
    last_week = MONDAY_MORNING - dt.timedelta(days=5)  # Wednesday 6 May
    award(user=student, action=Action.MANUAL_GRANT, idempotency_key="a", amount=40, at=last_week)
    award(
        user=other_student, action=Action.MANUAL_GRANT, idempotency_key="b", amount=60, at=last_week
    )
    award(
        user=student,
        action=Action.MANUAL_GRANT,
        idempotency_key="c",
        amount=500,
        at=MONDAY_MORNING - dt.timedelta(minutes=5),  # this week already
    )

    with time_machine.travel(MONDAY_MORNING, tick=False):
        tasks.weekly_boards_settle.delay().get()
        tasks.weekly_boards_settle.delay().get()  # a retried or doubled beat changes nothing

    assert [
        (row.week_start, row.scope, row.user_id, row.rank, row.xp)
        for row in LeaderboardSnapshot.objects.order_by("week_start", "scope", "rank")
    ] == [
        (dt.date(2026, 5, 4), "global", other_student.pk, 1, 60),
        (dt.date(2026, 5, 4), "global", student.pk, 2, 40),
    ]
