from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics import selectors, services
from analytics.models import Nudge
from analytics.tests import data
from courses.models import Enrollment, LessonProgress
from courses.services.learning import lesson_complete, lesson_start
from courses.tests.factories import EnrollmentFactory, StudentFactory, course_with_outline

pytestmark = pytest.mark.django_db
END = data.START + timedelta(days=data.DAYS - 1)
RANGE = {"start": data.START.isoformat(), "end": END.isoformat()}


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def test_instructor_dashboard_shows_only_own_courses(html_client_for, instructor, other_instructor):
    mine = course_with_outline(instructors=[instructor], title="Mine")
    course_with_outline(instructors=[other_instructor], title="Theirs")
    response = html_client_for(instructor).get("/teach/analytics/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mine" in body
    assert "Theirs" not in body
    assert "<svg viewBox" in body
    assert 'role="img"' in body
    refused = html_client_for(instructor).get("/teach/analytics/", {"course": mine.pk + 1})
    assert refused.status_code == 400


def test_students_cannot_open_dashboards(html_client_for, student):
    client = html_client_for(student)
    assert client.get("/teach/analytics/").status_code == 403
    assert client.get("/staff/analytics/").status_code == 403


def test_instructors_cannot_open_the_staff_dashboard(html_client_for, instructor):
    assert html_client_for(instructor).get("/staff/analytics/").status_code == 403


def test_anonymous_is_sent_to_login(client):
    assert client.get("/teach/analytics/").status_code == 302


def test_dashboard_query_count_does_not_grow_with_data(html_client_for, instructor, admin_user):
    client = html_client_for(instructor)
    data.generate(instructor=instructor, learners=3, courses=1)
    services.facts_backfill(start=data.START, end=END)
    small = _queries(client, "/teach/analytics/", RANGE)
    data.generate(instructor=instructor, learners=15, courses=3, seed=9)
    services.facts_backfill(start=data.START, end=END)
    large = _queries(client, "/teach/analytics/", RANGE)
    assert small == large
    # 16 before instructor performance (3 queries) and revenue (2) joined the dashboard.
    assert large <= 18
    staff = html_client_for(admin_user)
    assert _queries(staff, "/staff/analytics/", RANGE) <= 18


def test_csv_export(html_client_for, instructor):
    courses, _ = data.generate(instructor=instructor)
    services.facts_backfill(start=data.START, end=END)
    response = html_client_for(instructor).get("/teach/analytics/", {**RANGE, "export": "funnel"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "step,label,learners,percent"
    expected = data.reference({c.pk for c in courses}, data.START, END)["funnel"]
    assert lines[1].startswith(f"enrolled,Enrolled,{expected['enrolled']},")
    bad = html_client_for(instructor).get("/teach/analytics/", {"export": "passwords"})
    assert bad.status_code == 400


def test_inactive_learner_is_at_risk_and_can_be_nudged_once_a_day(
    html_client_for, instructor, other_instructor, student, django_capture_on_commit_callbacks
):
    course = course_with_outline(instructors=[instructor])
    enrollment = EnrollmentFactory(
        learner=student, course=course, enrolled_at=timezone.now() - timedelta(days=20)
    )
    client = html_client_for(instructor)
    assert student.email in client.get("/teach/analytics/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/teach/analytics/nudge/{enrollment.pk}/")
        client.post(f"/teach/analytics/nudge/{enrollment.pk}/")
    assert Nudge.objects.count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [student.email]
    other = html_client_for(other_instructor)
    assert other.post(f"/teach/analytics/nudge/{enrollment.pk}/").status_code == 404


def test_metrics_need_a_token_or_staff_in_production(client, settings, admin_user):
    settings.IS_PRODUCTION = True
    settings.METRICS_TOKEN = "s3cret"
    settings.MFA_REQUIRED_FOR_STAFF = False
    client.get("/healthz")
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    response = client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        'lumen_http_request_duration_seconds_bucket{le="0.01",method="GET",view="healthz"}' in body
    )
    assert "lumen_celery_tasks_total" in body
    client.force_login(admin_user)
    assert client.get("/metrics").status_code == 200


def _stuck_reference(course_id: int, stuck_days: int) -> set[int]:
    """Learners whose resume lesson was started stuck_days or more ago and is not complete,
    read straight from the progress rows."""
    cutoff = timezone.now() - timedelta(days=stuck_days)
    stuck = set()
    for enrollment in Enrollment.objects.filter(course_id=course_id, completed_at__isnull=True):
        for progress in LessonProgress.objects.filter(learner_id=enrollment.learner_id):
            if (
                progress.lesson_id == enrollment.last_lesson_id
                and progress.completed_at is None
                and progress.started_at <= cutoff
            ):
                stuck.add(enrollment.learner_id)
    return stuck


def test_a_learner_stuck_on_the_same_lesson_is_at_risk(
    html_client_for,
    client_for,
    instructor,
    other_instructor,
    settings,
    django_assert_max_num_queries,
):
    settings.ANALYTICS_STUCK_DAYS = 5
    course = course_with_outline(instructors=[instructor])
    first, second = course.modules.order_by("order").first().lessons.order_by("order")[:2]
    stuck, moved_on, recent = StudentFactory(), StudentFactory(), StudentFactory()
    now = timezone.now()
    for learner in (stuck, moved_on, recent):
        EnrollmentFactory(learner=learner, course=course, enrolled_at=now - timedelta(days=12))
    with time_machine.travel(now - timedelta(days=10), tick=False):
        lesson_start(learner=stuck, lesson=first)
        lesson_start(learner=moved_on, lesson=first)
    with time_machine.travel(now - timedelta(days=9), tick=False):
        lesson_complete(learner=moved_on, lesson=first)
    with time_machine.travel(now - timedelta(days=1), tick=False):
        lesson_start(learner=stuck, lesson=first)  # back again, still not done: active, stuck
        lesson_start(learner=moved_on, lesson=second)
    with time_machine.travel(now - timedelta(days=3), tick=False):
        lesson_start(learner=recent, lesson=second)

    rows = selectors.at_risk_learner_list(course_ids=[course.pk])
    assert {row.learner_id for row in rows} == _stuck_reference(course.pk, 5) == {stuck.pk}
    (row,) = rows
    assert row.reasons == (f"stuck on '{first.title}' for 10 days",)
    assert row.stuck_lesson == first.title
    page = html_client_for(instructor).get("/teach/analytics/").content.decode()
    assert f"stuck on &#x27;{first.title}&#x27; for 10 days" in page

    api = client_for(instructor)
    url = f"/api/v1/analytics/courses/{course.pk}/at-risk"
    with django_assert_max_num_queries(6):
        response = api.get(url, {"stuck_days": 2})
    assert response.status_code == 200
    assert {r["learner_id"] for r in response.json()} == _stuck_reference(course.pk, 2)
    assert _stuck_reference(course.pk, 2) == {stuck.pk, recent.pk}
    assert moved_on.pk not in {r["learner_id"] for r in response.json()}
    bad = api.get(url, {"stuck_days": 0})
    assert bad.status_code == 400
    assert client_for(other_instructor).get(url).status_code == 403
