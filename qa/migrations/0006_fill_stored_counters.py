"""Fill the counters 0005 added from the posts, in batches of questions.

The counting is written out here with the historical models (the same rule as
qa.services.counters: answers and questions that are not hidden), so later changes to the
services do not change what this migration did. Going back, 0005's reverse drops the columns,
so there is nothing to undo here.
"""

from django.db import migrations
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

BATCH = 2000


def _visible_answers(answer):
    return answer.objects.filter(question=OuterRef("pk"), is_hidden=False).order_by()


def fill_counters(apps, schema_editor):
    question = apps.get_model("qa", "Question")
    answer = apps.get_model("qa", "Answer")
    category = apps.get_model("qa", "Category")
    answers = _visible_answers(answer).values("question").annotate(total=Count("pk"))
    ratings = _visible_answers(answer).values("question").annotate(total=Sum("star_count"))
    ids = list(question.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        question.objects.filter(pk__in=ids[start : start + BATCH]).update(
            answer_count=Coalesce(
                Subquery(answers.values("total"), output_field=IntegerField()), Value(0)
            ),
            rating_count=Coalesce(
                Subquery(ratings.values("total"), output_field=IntegerField()), Value(0)
            ),
        )
    questions = (
        question.objects.filter(category=OuterRef("pk"), is_hidden=False)
        .order_by()
        .values("category")
        .annotate(total=Count("pk"))
        .values("total")
    )
    category.objects.update(
        question_count=Coalesce(Subquery(questions, output_field=IntegerField()), Value(0))
    )


class Migration(migrations.Migration):
    dependencies = [("qa", "0005_stored_counters_and_list_indexes")]

    operations = [migrations.RunPython(fill_counters, migrations.RunPython.noop, elidable=False)]
