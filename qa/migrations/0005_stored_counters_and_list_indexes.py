"""Stored counters for the question list (a question's visible answers and their ratings, a
category's visible questions) and one index per order of the list; 0006 fills the counters."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0004_lesson_progress_end_reached"),
        ("qa", "0004_question_bounties"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="question",
            name="qa_question_category_new",
        ),
        migrations.RemoveIndex(
            model_name="question",
            name="qa_question_active",
        ),
        migrations.AddField(
            model_name="category",
            name="question_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="question",
            name="answer_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="question",
            name="rating_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(fields=["-created_at", "-id"], name="qa_question_newest"),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                fields=["category", "-created_at", "-id"], name="qa_question_category_newest"
            ),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(fields=["-last_activity_at", "-id"], name="qa_question_last_active"),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                fields=["-rating_count", "-answer_count", "-created_at", "-id"],
                name="qa_question_votes",
            ),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                condition=models.Q(
                    ("answer_count", 0), models.Q(("status", "closed"), _negated=True)
                ),
                fields=["-created_at", "-id"],
                name="qa_question_unanswered",
            ),
        ),
    ]
