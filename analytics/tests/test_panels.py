"""The learner's own week on /dashboard/: minutes per day from the roll-ups, active days, and
the streak and level from the gamification engine."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from analytics.models import DailyLearnerFact
from courses.tests.factories import CourseFactory
from gamification.models import LearnerStats
from learning import services as learning_services

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 12)  # a Thursday


def _fact(learner: Any, day: dt.date, seconds: int, course: Any = None) -> None:
    DailyLearnerFact.objects.create(
        learner=learner, date=day, course=course, learning_seconds=seconds
    )


def _dashboard(learner: Any) -> str:
    client = Client()
    client.force_login(learner)
    with time_machine.travel(dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC), tick=False):
        response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_dashboard_shows_the_learners_last_seven_days(student: Any) -> None:
    one, two = CourseFactory(), CourseFactory()
    _fact(student, TODAY, 600, one)
    _fact(student, TODAY, 300, two)  # two courses on one day add up
    _fact(student, TODAY - dt.timedelta(days=2), 1500, one)
    _fact(student, TODAY - dt.timedelta(days=7), 9999, one)  # eight days ago: not this week
    LearnerStats.objects.create(user=student, total_xp=1200, current_streak=3, longest_streak=9)

    html = _dashboard(student)

    week = html[html.index('id="dashboard-week"') :]
    assert "40 minutes</strong> learned in the last 7 days, on 2 days" in week
    assert "3-day streak (best 9)" in week
    rows = re.findall(
        r'<time datetime="([\d-]+)">.*?</time></th>\s*<td>.*?</meter> (\d+)</td>', week
    )
    assert rows[0] == ("2026-03-06", "0")
    assert ("2026-03-10", "25") in rows
    assert rows[-1] == ("2026-03-12", "15")
    assert len(rows) == 7


def test_a_new_learner_is_invited_to_start_a_streak(student: Any) -> None:
    week = _dashboard(student)

    assert "0 minutes</strong> learned in the last 7 days, on 0 days" in week
    assert "no streak yet: learn today to start one" in week


def test_relax_mode_keeps_the_streak_off_the_week_panel(student: Any) -> None:
    LearnerStats.objects.create(user=student, total_xp=1200, current_streak=3, longest_streak=9)
    learning_services.preference_update(user=student, mode="relax")

    html = _dashboard(student)

    week = html[html.index('id="dashboard-week"') :]
    week = week[: week.index("</p>") + 4]
    assert "0 minutes</strong> learned in the last 7 days, on 0 days · level 6</p>" in week
    assert "streak" not in week

    learning_services.preference_update(user=student, mode="standard")
    assert "3-day streak (best 9) · level 6" in _dashboard(student)


def test_the_week_panel_costs_the_same_queries_whatever_the_history(student: Any) -> None:
    client = Client()
    client.force_login(student)
    course = CourseFactory()
    budgets = []
    for days in (1, 60):
        for n in range(days):
            DailyLearnerFact.objects.get_or_create(
                learner=student, date=TODAY - dt.timedelta(days=n), course=course
            )
        with (
            time_machine.travel(dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            assert client.get("/dashboard/").status_code == 200
        budgets.append(len(queries))
    assert budgets[0] == budgets[1]
