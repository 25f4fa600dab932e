"""`seed_load`: large load data that the application can use, written fast and safe to re-run.

Small sizes here; the same code writes the performance issue's millions (COPY on PostgreSQL,
which is what CI runs these tests on)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, OuterRef, Subquery, Sum
from django.test import Client

from accounts.models import User
from core.roles import Role
from courses.models import Course, Enrollment, Lesson, LessonProgress
from courses.tests.factories import CourseFactory, StudentFactory
from gamification.levels import level_for_xp
from gamification.models import LearnerStats, XpTransaction
from qa.models import Answer, Question

pytestmark = pytest.mark.django_db

SIZES = {"users": 300, "courses": 8, "lessons": 40, "progress": 500, "xp": 2000, "questions": 30}


def _seed(prefix: str = "load", **overrides: Any) -> str:
    out = StringIO()
    call_command("seed_load", prefix=prefix, stdout=out, **{**SIZES, **overrides})
    return out.getvalue()


def _load_users(prefix: str = "load") -> Any:
    return User.objects.filter(email__startswith=f"{prefix}-user-")


def _snapshot(prefix: str = "load") -> dict[str, int]:
    users = _load_users(prefix)
    return {
        "users": users.count(),
        "instructors": users.filter(role=Role.INSTRUCTOR).count(),
        "courses": Course.objects.filter(slug__startswith=f"{prefix}-course-").count(),
        "lessons": Lesson.objects.filter(module__course__slug__startswith=f"{prefix}-").count(),
        "enrollments": Enrollment.objects.filter(learner__in=users).count(),
        "progress": LessonProgress.objects.filter(learner__in=users).count(),
        "xp_rows": XpTransaction.objects.filter(user__in=users).count(),
        "xp_total": XpTransaction.objects.filter(user__in=users).aggregate(s=Sum("amount"))["s"],
        "questions": Question.objects.filter(asker__in=users).count(),
        "answers": Answer.objects.filter(question__asker__in=users).count(),
    }


def test_seed_load_writes_the_sizes_asked_for_with_a_progress_report() -> None:
    output = _seed()

    counts = _snapshot()
    assert counts["users"] == 300
    assert counts["instructors"] == 2  # one per four courses
    assert counts["courses"] == 8
    assert counts["lessons"] == 40
    assert counts["progress"] >= 500
    assert counts["xp_rows"] == 2000
    assert counts["questions"] == 30
    assert "lesson progress: " in output
    assert "(100%)" in output
    assert "Load data ready" in output
    assert not any(user.has_usable_password() for user in _load_users()[:20])


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ANALYZE is run on PostgreSQL only (set DATABASE_URL)"
)
def test_the_planner_knows_the_loaded_sizes_when_the_load_ends() -> None:
    def analyzed(model: Any) -> tuple[int, float]:
        """(explicit ANALYZEs of the table so far, the planner's row estimate)."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # this transaction caches stats
            cursor.execute(
                "SELECT s.analyze_count, c.reltuples FROM pg_stat_user_tables s"
                " JOIN pg_class c ON c.oid = s.relid WHERE s.relid = %s::regclass",
                [model._meta.db_table],
            )
            return cursor.fetchone()

    before = {model: analyzed(model)[0] for model in (Lesson, XpTransaction)}
    output = _seed()

    # analyze_count counts explicit ANALYZEs only (autovacuum's have a counter of their own),
    # and only this test's transaction sees the rows, so only its ANALYZE can have counted them.
    assert "planner statistics refreshed (ANALYZE" in output
    for model, rows in ((Lesson, Lesson.objects.count()), (XpTransaction, 2000)):
        count, estimate = analyzed(model)
        assert count > before[model]
        assert estimate >= rows


def test_the_load_data_is_consistent_as_the_services_would_have_left_it() -> None:
    _seed()
    users = _load_users()

    # Every progress row is on a lesson of a course the learner is enrolled in.
    enrolled = Enrollment.objects.filter(
        learner_id=OuterRef("learner_id"), course_id=OuterRef("lesson__module__course_id")
    ).values("pk")[:1]
    orphans = LessonProgress.objects.filter(learner__in=users).annotate(e=Subquery(enrolled))
    assert not orphans.filter(e__isnull=True).exists()
    # Each learner's denormalised totals equal their ledger, with the level the curve gives.
    ledger = dict(
        XpTransaction.objects.filter(user__in=users)
        .values_list("user_id")
        .annotate(total=Sum("amount"))
        .values_list("user_id", "total")
    )
    stats = {s.user_id: s for s in LearnerStats.objects.filter(user__in=users)}
    assert stats.keys() == ledger.keys()
    for user_id, total in ledger.items():
        assert stats[user_id].total_xp == total
        assert stats[user_id].level == level_for_xp(total)
    # Every course has its instructor and its lessons in two ordered modules.
    courses = Course.objects.filter(slug__startswith="load-course-").annotate(
        teachers=Count("instructors", distinct=True), modules_n=Count("modules", distinct=True)
    )
    assert {(c.teachers, c.modules_n) for c in courses} == {(1, 2)}


def test_the_application_keeps_working_after_a_load() -> None:
    _seed()

    # The ORM's next ids continue after the explicit ones the load wrote.
    student = StudentFactory()
    CourseFactory()
    client = Client()
    catalog = client.get("/courses/", {"q": "pandas"})
    course = Course.objects.filter(slug__startswith="load-course-").first()

    assert catalog.status_code == 200
    assert client.get(f"/courses/{course.slug}/").status_code == 200
    assert client.get("/questions/").status_code == 200
    client.force_login(student)
    leaderboard = client.get("/leaderboard/", {"period": "all"})
    assert leaderboard.status_code == 200
    top = LearnerStats.objects.order_by("-total_xp").select_related("user").first()
    assert top.user.display_name in leaderboard.content.decode()


def test_a_second_run_finds_every_stage_done_and_changes_nothing() -> None:
    _seed()
    before = _snapshot()

    output = _seed()

    assert _snapshot() == before
    assert output.count("already there") == 5


def test_an_interrupted_run_resumes_where_it_stopped_and_ends_as_a_whole_run(settings) -> None:
    _seed(prefix="whole")
    all_stages = list(settings.LOAD_SEEDERS)
    settings.LOAD_SEEDERS = all_stages[:2]  # stopped after the courses
    _seed(prefix="cut")
    settings.LOAD_SEEDERS = all_stages

    output = _seed(prefix="cut")

    assert output.count("already there") == 2
    whole, resumed = _snapshot("whole"), _snapshot("cut")
    assert resumed == whole


def test_a_different_size_under_an_existing_prefix_is_refused() -> None:
    _seed()

    with pytest.raises(CommandError, match="300 users with the prefix 'load' exist, 400 asked"):
        _seed(users=400)


def test_impossible_sizes_are_refused_before_anything_is_written() -> None:
    with pytest.raises(CommandError, match="--users must exceed"):
        _seed(users=2, courses=40)
    with pytest.raises(CommandError, match="--progress must be at least 1"):
        _seed(progress=0)
    assert not _load_users().exists()


def test_production_needs_force(settings) -> None:
    settings.IS_PRODUCTION = True

    with pytest.raises(CommandError, match="--force"):
        _seed()
