"""PostgreSQL plans of the catalog: its default order is read from an index (no sort of every
published course), and a search is answered from the stored search vector's GIN index."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.utils import timezone

from courses import selectors
from courses.models import Course
from courses.tests.factories import CategoryFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL plans and search"),
]

CATALOG_SIZE = 2000


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def large_catalog() -> None:
    """As many published courses as the load benchmark's catalog, with planner statistics."""
    category = CategoryFactory()
    now = timezone.now()
    Course.objects.bulk_create(
        Course(
            title=f"Course {n} about {'python' if n % 7 == 0 else 'data'}",
            slug=f"plan-course-{n}",
            subtitle="Learn by building",
            description="We start from a small working example and grow it step by step.",
            category=category,
            status=Course.Status.PUBLISHED,
            published_at=now - timedelta(hours=n),
            enrollment_count=(n * 37) % 500,
        )
        for n in range(CATALOG_SIZE)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE courses_course")


def test_the_default_catalog_order_reads_the_popular_index(large_catalog: None) -> None:
    page = selectors.course_list_for_catalog(user=None, sort="popular")[:12]

    plan = _plan(page)

    assert "courses_course_popular" in plan, plan
    assert "Sort" not in plan, plan  # the index gives the order: no sort of 2,000 courses
    assert [course.enrollment_count for course in page] == sorted(
        (course.enrollment_count for course in page), reverse=True
    )


def test_a_catalog_search_reads_the_stored_vector_through_its_gin_index(
    large_catalog: None,
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
            ["courses_course_search_document"],
        )
        (definition,) = cursor.fetchone()
    assert "gin (search_document)" in definition
    searched = Course.objects.filter(
        search_document=SearchQuery("python", config="english", search_type="websearch")
    ).values("id")

    with connection.cursor() as cursor:
        # A GIN index is read by a bitmap scan: with plain scans off, a usable GIN index is the
        # only way left to the rows (a catalog this small could be scanned just as fast).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = _plan(searched)

    assert "courses_course_search_document" in plan, plan
    assert "to_tsvector" not in plan, plan  # nothing rebuilt per row
    found = selectors.course_list_for_catalog(user=None, search="python", sort="relevance")
    assert found.count() == len(range(0, CATALOG_SIZE, 7))
    assert all("python" in course.title for course in found[:12])
