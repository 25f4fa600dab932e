from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics import selectors, services
from analytics.exceptions import UnknownEventKindError
from analytics.models import (
    DailyCourseFact,
    DailyLearnerFact,
    Event,
    LearnerCohortFact,
    WeeklyLearnerFact,
)
from analytics.tests import data
from courses.services.learning import enrollment_create, lesson_complete
from courses.tests.factories import CourseFactory, course_with_outline

pytestmark = pytest.mark.django_db


def test_events_recorded_in_a_transaction_are_written_by_one_insert_on_commit(
    student, django_capture_on_commit_callbacks
):
    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        for seconds in (10, 20, 30):
            services.event_record(kind="heartbeat", user_id=student.pk, value=seconds)
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert list(Event.objects.values_list("value", flat=True)) == [10, 20, 30]


@transaction.atomic
def _record_then_fail(user_id: int) -> None:
    services.event_record(kind="login", user_id=user_id)
    raise RuntimeError


def test_events_of_a_rolled_back_transaction_are_not_written(
    student, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            _record_then_fail(student.pk)
        with transaction.atomic():
            services.event_record(kind="heartbeat", user_id=student.pk, value=5)
    assert list(Event.objects.values_list("kind", flat=True)) == ["heartbeat"]


def test_an_unknown_kind_is_refused(student):
    with pytest.raises(UnknownEventKindError):
        services.event_record(kind="teleported", user_id=student.pk)
    assert Event.objects.count() == 0


def test_courses_events_are_captured(student, instructor, django_capture_on_commit_callbacks):
    course = course_with_outline(modules=1, lessons_per_module=1, instructors=[instructor])
    lesson = course.modules.get().lessons.get()
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(learner=student, course=course)
    with django_capture_on_commit_callbacks(execute=True):
        lesson_complete(learner=student, lesson=lesson)
    kinds = set(Event.objects.filter(user=student).values_list("kind", "course_id", "object_id"))
    assert kinds == {
        ("enrolled", course.pk, None),
        ("lesson_completed", course.pk, lesson.pk),
        ("course_completed", course.pk, None),
    }


def test_rollup_figures_equal_an_independent_raw_event_computation(instructor):
    courses, _ = data.generate(instructor=instructor)
    end = data.START + timedelta(days=data.DAYS - 1)
    services.facts_backfill(start=data.START, end=end)
    course_ids = {course.pk for course in courses}
    expected = data.reference(course_ids, data.START, end)
    period = selectors.DateRange(data.START, end)

    funnel = {
        step["step"]: step["learners"]
        for step in selectors.funnel(course_ids=list(course_ids), period=period)
    }
    assert funnel == expected["funnel"]
    assert funnel["enrolled"] > funnel["completed"] > 0

    series = selectors.daily_series(course_ids=list(course_ids), period=period)
    assert [row["active_learners"] for row in series] == [
        len(expected["active"][day]) for day in period.days
    ]
    assert [row["learning_minutes"] for row in series] == [
        round(expected["seconds"][day] / 60, 1) for day in period.days
    ]
    mau = set().union(*(expected["active"][d] for d in period.days if d > end - timedelta(days=30)))
    assert selectors.engagement(course_ids=list(course_ids), day=end)["mau"] == len(mau)


def test_rollup_is_idempotent(instructor):
    data.generate(instructor=instructor)
    end = data.START + timedelta(days=data.DAYS - 1)
    services.facts_backfill(start=data.START, end=end)
    first = list(
        DailyCourseFact.objects.values_list(
            "date", "course_id", "enrollments", "starters", "halfway", "learning_seconds"
        )
    )
    learners = DailyLearnerFact.objects.count()
    services.facts_backfill(start=data.START, end=end)
    assert (
        list(
            DailyCourseFact.objects.values_list(
                "date", "course_id", "enrollments", "starters", "halfway", "learning_seconds"
            )
        )
        == first
    )
    assert DailyLearnerFact.objects.count() == learners


def test_expired_events_are_purged_and_recent_ones_kept(
    student, settings, django_capture_on_commit_callbacks
):
    settings.ANALYTICS_RETENTION_DAYS = 30
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        for days in (31, 29):
            services.event_record(
                kind="login", user_id=student.pk, occurred_at=now - timedelta(days=days)
            )
    assert services.events_purge_expired(now=now) == 1
    assert Event.objects.count() == 1


def test_a_user_can_export_and_erase_their_data(
    student, instructor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.event_record(kind="login", user_id=student.pk)
        services.event_record(kind="login", user_id=instructor.pk)
    services.facts_rollup(day=timezone.localdate())
    exported = services.user_analytics_export(user_id=student.pk)
    assert [event["kind"] for event in exported["events"]] == ["login"]
    assert len(exported["daily_facts"]) == 1
    today = timezone.localdate()
    weekly = WeeklyLearnerFact.objects.get(learner=student)
    assert (weekly.course_id, weekly.days) == (None, 1 << today.weekday())
    # The event, the daily and weekly facts and the first-active week.
    assert services.user_analytics_delete(user_id=student.pk) == 4
    assert not Event.objects.filter(user=student).exists()
    assert not DailyLearnerFact.objects.filter(learner=student).exists()
    assert not WeeklyLearnerFact.objects.filter(learner=student).exists()
    assert not LearnerCohortFact.objects.filter(learner=student).exists()
    assert WeeklyLearnerFact.objects.filter(learner=instructor).count() == 1
    assert Event.objects.filter(user=instructor).count() == 1


def test_erasure_keeps_payments_and_refunds_without_the_user(
    student, instructor, django_capture_on_commit_callbacks
):
    course = CourseFactory(instructors=[instructor])
    with django_capture_on_commit_callbacks(execute=True):
        services.event_record(
            kind="payment", user_id=student.pk, course_id=course.pk, value=4900, meta={"plan": "x"}
        )
        services.event_record(kind="refund", user_id=student.pk, course_id=course.pk, value=900)
        services.event_record(kind="login", user_id=student.pk)

    assert services.user_analytics_delete(user_id=student.pk) == 3

    assert not Event.objects.filter(user=student).exists()
    money = Event.objects.filter(kind__in=["payment", "refund"]).order_by("kind")
    assert [(e.kind, e.user_id, e.course_id, e.value, e.meta) for e in money] == [
        ("payment", None, course.pk, 4900, {}),
        ("refund", None, course.pk, 900, {}),
    ]
