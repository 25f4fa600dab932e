"""Stored counts on Course (enrolments, lessons, total lesson duration) for the catalog, filled
from the existing rows in batches, and the index of the catalog's default "popular" order.

Reversing drops the columns (the fill has nothing to undo).
"""

from django.db import migrations, models
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

BATCH_SIZE = 500


def fill_counts(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    Enrollment = apps.get_model("courses", "Enrollment")
    Lesson = apps.get_model("courses", "Lesson")
    enrollments = Enrollment.objects.filter(course_id=OuterRef("pk")).order_by()
    lessons = Lesson.objects.filter(module__course_id=OuterRef("pk")).order_by()

    def counted(rows, group, total):
        grouped = rows.values(group).annotate(total=total).values("total")
        return Coalesce(Subquery(grouped, output_field=IntegerField()), Value(0))

    ids = list(Course.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        Course.objects.filter(pk__in=ids[start : start + BATCH_SIZE]).update(
            enrollment_count=counted(enrollments, "course_id", Count("pk")),
            lesson_count=counted(lessons, "module__course_id", Count("pk")),
            total_duration_seconds=counted(lessons, "module__course_id", Sum("duration_seconds")),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0004_lesson_progress_end_reached"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="enrollment_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="course",
            name="lesson_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="course",
            name="total_duration_seconds",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(fill_counts, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="course",
            index=models.Index(
                fields=["status", "-enrollment_count", "-published_at", "-id"],
                name="courses_course_popular",
            ),
        ),
    ]
