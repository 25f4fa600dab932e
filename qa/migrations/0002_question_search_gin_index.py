"""PostgreSQL only: a GIN index on the questions' weighted full-text document.

The index is built from `qa.models.question_search_vector()` itself, so its expression is exactly
the one `qa.selectors.question_list` searches with and PostgreSQL uses it. Other databases
(SQLite) search with substring matches and get nothing here; like the courses' search index it
lives outside the model state, so `makemigrations --check` stays clean on every database.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

INDEX_NAME = "qa_question_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from qa.models import question_search_vector

    question = apps.get_model("qa", "Question")
    index = GinIndex(question_search_vector(), name=INDEX_NAME)
    schema_editor.add_index(question, index)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [("qa", "0001_qa_help_center")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
