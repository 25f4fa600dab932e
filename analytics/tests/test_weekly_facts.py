"""The weekly learner roll-up: cohort retention, DAU/WAU/MAU and daily active learners read it,
and equal what an independent computation from the raw events gives, for the platform and for
courses, on periods that start and end mid-week."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics import selectors, services, tasks
from analytics.models import Event, LearnerCohortFact, WeeklyLearnerFact
from analytics.services import ACTIVITY_KINDS
from analytics.tests import data

pytestmark = pytest.mark.django_db
END = data.START + timedelta(days=data.DAYS - 1)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _world(instructor) -> tuple[list, list]:
    """data.generate's three weeks, plus activity a week before them (so some learners' cohort
    is earlier than any period here) and late sign-ins."""
    courses, students = data.generate(instructor=instructor, learners=14, courses=3)
    early = data.START - timedelta(days=5)  # a Wednesday
    Event.objects.bulk_create(
        [
            *(
                Event(
                    kind="lesson_viewed", user=s, course=courses[0], occurred_at=data.at(early, 9)
                )
                for s in students[:4]
            ),
            Event(kind="login", user=students[6], occurred_at=data.at(early, 50)),
            Event(kind="login", user=students[7], occurred_at=data.at(END, 70)),
            Event(kind="login", user=students[8], occurred_at=data.at(END - timedelta(days=9), 9)),
        ]
    )
    services.facts_backfill(start=early, end=END)
    return courses, students


def _activity(course_ids: set[int] | None) -> dict[int, set[date]]:
    """Straight from the raw events: each learner's active local days (in these courses)."""
    days: dict[int, set[date]] = defaultdict(set)
    for user_id, course_id, kind, occurred_at in Event.objects.values_list(
        "user_id", "course_id", "kind", "occurred_at"
    ):
        if user_id is None or kind not in ACTIVITY_KINDS:
            continue
        if course_ids is not None and course_id not in course_ids:
            continue
        days[user_id].add(timezone.localtime(occurred_at).date())
    return days


def _active_between(days: dict[int, set[date]], first: date, last: date) -> int:
    return sum(1 for active in days.values() if any(first <= d <= last for d in active))


def _top_learners_reference(
    days: dict[int, set[date]], course_ids: set[int] | None, period, limit: int = 10
) -> list[tuple[int, int, int]]:
    """(learner, heartbeat seconds, active days) in the period, most seconds first."""
    seconds: dict[int, int] = defaultdict(int)
    for user_id, course_id, value, occurred_at in Event.objects.filter(
        kind="heartbeat"
    ).values_list("user_id", "course_id", "value", "occurred_at"):
        in_period = period.start <= timezone.localtime(occurred_at).date() <= period.end
        if in_period and (course_ids is None or course_id in course_ids):
            seconds[user_id] += value
    rows = [
        (learner, seconds[learner], sum(1 for d in active if period.start <= d <= period.end))
        for learner, active in days.items()
    ]
    rows = [row for row in rows if row[2]]
    return sorted(rows, key=lambda row: (-row[1], row[0]))[:limit]


def _cohorts_reference(days: dict[int, set[date]], start: date, end: date, weeks: int = 8):
    first_week, last_week = _monday(start), _monday(end)
    cohorts: dict[date, list[set[date]]] = defaultdict(list)
    for active in days.values():
        cohort = _monday(min(active))
        if first_week <= cohort <= last_week:
            cohorts[cohort].append({_monday(d) for d in active})
    return [
        {
            "cohort": cohort,
            "learners": len(members),
            "retention": [
                round(
                    100
                    * sum(1 for m in members if cohort + timedelta(weeks=k) in m)
                    / len(members),
                    1,
                )
                for k in range(weeks)
                if cohort + timedelta(weeks=k) <= last_week
            ],
        }
        for cohort, members in sorted(cohorts.items())
    ]


@pytest.mark.parametrize(
    ("start_offset", "end_offset"), [(3, 17), (0, 20), (-5, 13), (9, 9)], ids=str
)
def test_cohorts_and_active_learners_equal_the_raw_events(instructor, start_offset, end_offset):
    courses, _ = _world(instructor)
    start = data.START + timedelta(days=start_offset)
    end = data.START + timedelta(days=end_offset)
    period = selectors.DateRange(start, end)
    selections: list[list[int] | None] = [
        None,
        [courses[0].pk],
        [courses[0].pk, courses[2].pk],
    ]
    for course_ids in selections:
        days = _activity(None if course_ids is None else set(course_ids))

        cohorts = selectors.cohort_retention(course_ids=course_ids, period=period)
        assert cohorts == _cohorts_reference(days, start, end), course_ids
        assert all(row["retention"][0] == 100.0 for row in cohorts)

        engagement = selectors.engagement(course_ids=course_ids, day=end)
        assert (engagement["dau"], engagement["wau"], engagement["mau"]) == (
            _active_between(days, end, end),
            _active_between(days, end - timedelta(days=6), end),
            _active_between(days, end - timedelta(days=29), end),
        ), course_ids

        learners = selectors.learning_time_by_learner(course_ids=course_ids, period=period)
        assert [(r["learner_id"], r["seconds"], r["active_days"]) for r in learners] == (
            _top_learners_reference(days, None if course_ids is None else set(course_ids), period)
        ), course_ids

        series = selectors.daily_series(course_ids=course_ids, period=period)
        assert [row["active_learners"] for row in series] == [
            _active_between(days, day, day) for day in period.days
        ], course_ids
    # The data has what the comparison needs: several cohorts, retention below 100%, a learner
    # active before the widest period (so not "new" in it).
    platform = selectors.cohort_retention(
        course_ids=None, period=selectors.DateRange(data.START, END)
    )
    assert len(platform) >= 2
    assert any(p < 100 for row in platform for p in row["retention"])
    assert sum(row["learners"] for row in platform) < len(_activity(None))


def test_the_weekly_facts_do_not_depend_on_the_order_days_are_rolled_up(instructor):
    _world(instructor)
    forward = set(WeeklyLearnerFact.objects.values_list("week", "learner_id", "course_id", "days"))
    cohorts = set(LearnerCohortFact.objects.values_list("learner_id", "course_id", "week"))
    assert forward
    assert cohorts
    WeeklyLearnerFact.objects.all().delete()
    LearnerCohortFact.objects.all().delete()
    # Newest week first: learners first seen later are moved to their earlier first week.
    for week in sorted({row[0] for row in forward}, reverse=True):
        services.weekly_facts_rollup(week=week)
    assert set(
        WeeklyLearnerFact.objects.values_list("week", "learner_id", "course_id", "days")
    ) == (forward)
    assert set(LearnerCohortFact.objects.values_list("learner_id", "course_id", "week")) == cohorts
    # Again: nothing changes.
    services.facts_backfill(start=data.START, end=END)
    assert set(LearnerCohortFact.objects.values_list("learner_id", "course_id", "week")) == cohorts


def test_a_first_week_emptied_by_a_rebuild_moves_the_cohort_to_the_next_active_week(
    instructor, student
):
    course = data.generate(instructor=instructor, learners=1, courses=1)[0][0]
    monday = data.START
    for day in (monday + timedelta(days=1), monday + timedelta(days=15)):
        Event.objects.create(
            kind="lesson_viewed", user=student, course=course, occurred_at=data.at(day, 5)
        )
    services.facts_backfill(start=monday, end=monday + timedelta(days=20))
    cohort = LearnerCohortFact.objects.get(learner=student, course=course)
    assert cohort.week == monday
    Event.objects.filter(
        user=student, occurred_at__lt=data.at(monday, 0) + timedelta(days=7)
    ).delete()
    services.facts_rollup(day=monday + timedelta(days=1))
    cohort.refresh_from_db()
    assert cohort.week == monday + timedelta(days=14)
    assert LearnerCohortFact.objects.get(learner=student, course=None).week == cohort.week
    Event.objects.filter(user=student).delete()
    services.facts_rollup(day=monday + timedelta(days=15))
    assert not LearnerCohortFact.objects.filter(learner=student).exists()


def test_the_beat_roll_up_builds_this_weeks_facts(student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.event_record(kind="login", user_id=student.pk)
    tasks.rollup_recent_days()
    today = timezone.localdate()
    row = WeeklyLearnerFact.objects.get(learner=student)
    assert (row.week, row.course_id, row.days) == (_monday(today), None, 1 << today.weekday())
    assert LearnerCohortFact.objects.get(learner=student).week == _monday(today)
    assert selectors.engagement(course_ids=None, day=today)["dau"] == 1


def test_weekly_selectors_cost_one_query_each_whatever_the_data(instructor):
    courses, _ = _world(instructor)
    period = selectors.DateRange(data.START + timedelta(days=2), END)
    for course_ids in (None, [c.pk for c in courses]):
        with CaptureQueriesContext(connection) as captured:
            selectors.cohort_retention(course_ids=course_ids, period=period)
            selectors.engagement(course_ids=course_ids, day=END)
        assert len(captured) == 2


def test_the_migration_that_adds_weekly_facts_builds_what_the_roll_up_builds(instructor):
    """Migration 0003 carries a frozen copy of the weekly roll-up (historical models only): on
    the daily facts already there it gives the rows and first weeks the services would."""
    import importlib

    from django.apps import apps

    _world(instructor)
    columns = ("week", "learner_id", "course_id", "days", "learning_seconds", "monday_seconds")
    rolled = set(WeeklyLearnerFact.objects.values_list(*columns))
    cohorts = set(LearnerCohortFact.objects.values_list("learner_id", "course_id", "week"))
    assert rolled
    WeeklyLearnerFact.objects.all().delete()
    LearnerCohortFact.objects.all().delete()
    migration = importlib.import_module(
        "analytics.migrations.0003_weekly_learner_facts_and_refunded_invoices"
    )

    migration.weekly_facts_from_daily(apps, None)

    assert set(WeeklyLearnerFact.objects.values_list(*columns)) == rolled
    assert set(LearnerCohortFact.objects.values_list("learner_id", "course_id", "week")) == cohorts
