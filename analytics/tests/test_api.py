from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from analytics import services
from analytics.models import DailyCourseFact, Event
from analytics.tests import data
from courses.models import LessonProgress
from courses.tests.factories import EnrollmentFactory, course_with_outline

pytestmark = pytest.mark.django_db


def summary_url(course_id: int) -> str:
    return f"/api/v1/analytics/courses/{course_id}/summary"


def test_anonymous_gets_401(client):
    course = course_with_outline()
    response = client.get(summary_url(course.pk))
    assert response.status_code == 401


def test_only_the_courses_instructors_and_staff_see_its_analytics(
    client_for, instructor, other_instructor, student, admin_user
):
    course = course_with_outline(instructors=[instructor])
    assert client_for(instructor).get(summary_url(course.pk)).status_code == 200
    assert client_for(admin_user).get(summary_url(course.pk)).status_code == 200
    refused = client_for(other_instructor).get(summary_url(course.pk))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert client_for(student).get(summary_url(course.pk)).status_code == 403
    assert client_for(instructor).get(summary_url(999999)).status_code == 404
    assert (
        client_for(other_instructor)
        .get(f"/api/v1/analytics/courses/{course.pk}/at-risk")
        .status_code
        == 403
    )


def test_platform_summary_is_for_staff_only(client_for, instructor, admin_user):
    assert client_for(instructor).get("/api/v1/analytics/platform/summary").status_code == 403
    assert client_for(admin_user).get("/api/v1/analytics/platform/summary").status_code == 200


def test_course_summary_returns_the_rolled_up_funnel(client_for, instructor):
    courses, _ = data.generate(instructor=instructor)
    end = data.START + timedelta(days=data.DAYS - 1)
    services.facts_backfill(start=data.START, end=end)
    expected = data.reference({courses[0].pk}, data.START, end)["funnel"]
    response = client_for(instructor).get(
        summary_url(courses[0].pk), {"start": data.START.isoformat(), "end": end.isoformat()}
    )
    assert response.status_code == 200
    assert {s["step"]: s["learners"] for s in response.json()["funnel"]} == expected
    assert len(response.json()["daily"]) == data.DAYS


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "yesterday"}, "Dates must be written YYYY-MM-DD."),
        (
            {"start": "2026-03-10", "end": "2026-03-01"},
            "The start date must not be after the end date.",
        ),
        ({"start": "2020-01-01", "end": "2026-03-01"}, "A range may span at most 366 days."),
    ],
)
def test_bad_dates_are_a_400(client_for, instructor, params, message):
    course = course_with_outline(instructors=[instructor])
    response = client_for(instructor).get(summary_url(course.pk), params)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == message


def test_heartbeat_records_lesson_views_for_enrolled_learners_only(
    client_for, student, django_capture_on_commit_callbacks
):
    course = course_with_outline()
    lesson = course.modules.first().lessons.first()
    api = client_for(student)
    refused = api.post("/api/v1/analytics/heartbeat", {"lesson_id": lesson.pk, "seconds": 30})
    assert refused.status_code == 403
    assert Event.objects.count() == 0
    EnrollmentFactory(learner=student, course=course)
    too_long = api.post("/api/v1/analytics/heartbeat", {"lesson_id": lesson.pk, "seconds": 3600})
    assert too_long.status_code == 400
    assert (
        api.post("/api/v1/analytics/heartbeat", {"lesson_id": 0, "seconds": 3}).status_code == 400
    )
    with django_capture_on_commit_callbacks(execute=True):
        ok = api.post(
            "/api/v1/analytics/heartbeat", {"lesson_id": lesson.pk, "seconds": 30, "viewed": True}
        )
    assert ok.status_code == 204
    # Its seconds are not learning time: that comes from courses' lesson_time_spent only.
    assert list(Event.objects.values_list("kind", "value", "course_id")) == [
        ("lesson_viewed", 0, course.pk),
    ]


def test_learning_time_comes_from_the_courses_time_reports_only_once(
    client_for, student, django_capture_on_commit_callbacks
):
    from courses.services.learning import lesson_reading_report

    course = course_with_outline()
    lesson = course.modules.first().lessons.first()
    EnrollmentFactory(learner=student, course=course)
    api = client_for(student)
    with time_machine.travel("2026-03-03 08:00:00Z", tick=False) as clock:
        for _ in range(3):
            clock.shift(20)
            with django_capture_on_commit_callbacks(execute=True):
                lesson_reading_report(learner=student, lesson=lesson, seconds_spent_delta=20)
                # An older player also beating the analytics endpoint adds no second time.
                api.post("/api/v1/analytics/heartbeat", {"lesson_id": lesson.pk, "seconds": 20})
    counted = LessonProgress.objects.get(learner=student, lesson=lesson).seconds_spent
    assert (
        list(Event.objects.values_list("kind", "value", "object_id"))
        == [("heartbeat", 20, lesson.pk)] * 3
    )
    assert counted == 60
    services.facts_rollup(day=date(2026, 3, 3))
    fact = DailyCourseFact.objects.get(course=course)
    assert fact.learning_seconds == counted


def test_my_stats_show_week_minutes_and_streak(
    client_for, student, django_capture_on_commit_callbacks
):
    course = course_with_outline()
    EnrollmentFactory(learner=student, course=course)
    today = timezone.localdate()
    for days_ago in (0, 1, 2):
        with django_capture_on_commit_callbacks(execute=True):
            services.event_record(
                kind="heartbeat",
                user_id=student.pk,
                course_id=course.pk,
                value=60,
                occurred_at=timezone.now() - timedelta(days=days_ago),
            )
        services.facts_rollup(day=today - timedelta(days=days_ago))
    body = client_for(student).get("/api/v1/analytics/me").json()
    assert body["streak_days"] == 3
    assert body["progress"][0]["lessons"] == 4
    assert body["progress"][0]["completed"] == 0


def test_my_data_can_be_exported_and_erased(
    client_for, student, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.event_record(kind="login", user_id=student.pk)
    api = client_for(student)
    assert [e["kind"] for e in api.get("/api/v1/analytics/me/data").json()["events"]] == ["login"]
    assert api.delete("/api/v1/analytics/me/data").json() == {"deleted": 1}
    assert Event.objects.count() == 0


def test_course_summary_query_count_does_not_grow_with_data(client_for, instructor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    courses, _ = data.generate(instructor=instructor, learners=3, courses=1)
    end = data.START + timedelta(days=data.DAYS - 1)
    params = {"start": data.START.isoformat(), "end": end.isoformat()}
    services.facts_backfill(start=data.START, end=end)
    api = client_for(instructor)
    with CaptureQueriesContext(connection) as small:
        assert api.get(summary_url(courses[0].pk), params).status_code == 200
    data.generate(instructor=instructor, learners=20, courses=1, seed=3)
    services.facts_backfill(start=data.START, end=end)
    with CaptureQueriesContext(connection) as large:
        assert api.get(summary_url(courses[0].pk), params).status_code == 200
    # 12 before instructor performance (3 queries) and revenue (2 for a course) joined.
    assert len(small) == len(large) <= 14
