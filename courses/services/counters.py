"""The counts the catalog sorts and shows, stored on Course: `enrollment_count`, `lesson_count`
and `total_duration_seconds`.

Every write that changes them moves them in the same transaction with one F() update of the
course row (never read, change, save), so concurrent enrolments all count:
- enrolments: `enrollment_create` adds; `enrollment_deleted` (post_delete, however the row goes:
  the admin, the learner's account deleted) takes away;
- lessons: `lesson_create` and `lesson_save` add or move them, `module_save` moves a module's
  lessons to another course, `lesson_deleted` (post_delete: the admin, a module or course
  deleted with its lessons) takes them away.
Bulk loads (`seed_load`) and anything else that writes rows directly call `course_counts_recount`,
which `manage.py courses_recount` also runs when the counts are suspected to have drifted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest

from courses.models import Course, Enrollment, Lesson

RECOUNT_BATCH_SIZE = 500


def _moved(field: str, delta: int) -> Greatest:
    # Never below zero: a count that drifted low must not make deleting a learner or a lesson
    # fail on the column's CHECK constraint (courses_recount repairs the count).
    return Greatest(F(field) + Value(delta), Value(0))


def course_enrollments_add(*, course_id: int, delta: int) -> None:
    """Move the course's `enrollment_count` by `delta` (one UPDATE of the course row)."""
    if delta:
        Course.objects.filter(pk=course_id).update(
            enrollment_count=_moved("enrollment_count", delta)
        )


def course_lessons_add(*, course_id: int, lessons: int, seconds: int) -> None:
    """Move the course's `lesson_count` by `lessons` and `total_duration_seconds` by `seconds`."""
    if lessons or seconds:
        Course.objects.filter(pk=course_id).update(
            lesson_count=_moved("lesson_count", lessons),
            total_duration_seconds=_moved("total_duration_seconds", seconds),
        )


def enrollment_deleted(sender: object, instance: Enrollment, **kwargs: object) -> None:
    """post_delete of an enrollment, however it went: the course counts one learner fewer."""
    course_enrollments_add(course_id=instance.course_id, delta=-1)


def lesson_deleted(sender: object, instance: Lesson, **kwargs: object) -> None:
    """post_delete of a lesson (also with its module or course): its course counts it no more."""
    # The module is still there: a cascade deletes lessons before their module.
    Course.objects.filter(modules__id=instance.module_id).update(
        lesson_count=_moved("lesson_count", -1),
        total_duration_seconds=_moved("total_duration_seconds", -instance.duration_seconds),
    )


def _counted() -> dict[str, Coalesce]:
    """The three counts, computed from the rows (correlated with the course of the outer query)."""
    enrollments = Enrollment.objects.filter(course_id=OuterRef("pk")).order_by()
    lessons = Lesson.objects.filter(module__course_id=OuterRef("pk")).order_by()

    def counted(rows: QuerySet[Any], group: str, total: Count | Sum) -> Coalesce:
        grouped = rows.values(group).annotate(total=total).values("total")
        return Coalesce(Subquery(grouped, output_field=IntegerField()), Value(0))

    return {
        "enrollment_count": counted(enrollments, "course_id", Count("pk")),
        "lesson_count": counted(lessons, "module__course_id", Count("pk")),
        "total_duration_seconds": counted(lessons, "module__course_id", Sum("duration_seconds")),
    }


def _recounted(course_ids: list[int]) -> int:
    with transaction.atomic():
        # Lock the rows first: an enrolment in flight either committed before (and is counted
        # by the UPDATE's fresh snapshot) or adds its own +1 after.
        list(Course.objects.select_for_update().filter(pk__in=course_ids).values_list("pk"))
        return Course.objects.filter(pk__in=course_ids).update(**_counted())


def course_counts_recount(*, course_ids: Iterable[int] | None = None) -> int:
    """Recount the stored counts of the given courses (all when None) from their enrolments and
    lessons, in batches; returns how many courses were recounted."""
    if course_ids is None:
        wanted: Iterable[int] = Course.objects.order_by("pk").values_list("pk", flat=True)
    else:
        wanted = sorted(set(course_ids))
    recounted = 0
    batch: list[int] = []
    for course_id in wanted:
        batch.append(course_id)
        if len(batch) == RECOUNT_BATCH_SIZE:
            recounted += _recounted(batch)
            batch = []
    if batch:
        recounted += _recounted(batch)
    return recounted


def course_counts_drift(*, course_ids: Iterable[int] | None = None) -> list[int]:
    """The courses whose stored counts differ from their rows, by id."""
    queryset = Course.objects.all()
    if course_ids is not None:
        queryset = queryset.filter(pk__in=list(course_ids))
    counted = {f"counted_{name}": expression for name, expression in _counted().items()}
    return list(
        queryset.annotate(**counted)
        .exclude(
            enrollment_count=F("counted_enrollment_count"),
            lesson_count=F("counted_lesson_count"),
            total_duration_seconds=F("counted_total_duration_seconds"),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
