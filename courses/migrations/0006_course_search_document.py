"""The courses' text-search vector as a stored generated column, and on PostgreSQL its GIN index
in place of 0002's expression index.

With only an expression index, a search the planner answered another way (say by the status
index) built to_tsvector of every published course's text, twice per page (count and rows), and
ranking built it again for each match. The stored column is computed once per write by the
database. The index lives outside the model state (GIN is PostgreSQL's), so
`makemigrations --check` stays clean on SQLite, where the column is NULL and unused.
"""

import django.contrib.postgres.search
from django.db import migrations, models

import courses.search

INDEX_NAME = "courses_course_search_document"
CREATE_SQL = (
    f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON courses_course USING gin (search_document)"
)
DROP_SQL = f"DROP INDEX IF EXISTS {INDEX_NAME}"
# 0002's index, restored when this migration is reversed.
OLD_INDEX_NAME = "courses_course_search_gin"
OLD_CREATE_SQL = f"""
CREATE INDEX IF NOT EXISTS {OLD_INDEX_NAME} ON courses_course USING gin ((
    setweight(to_tsvector('english'::regconfig, title), 'A') ||
    setweight(to_tsvector('english'::regconfig, subtitle), 'B') ||
    setweight(to_tsvector('english'::regconfig, description), 'C')
))
"""
OLD_DROP_SQL = f"DROP INDEX IF EXISTS {OLD_INDEX_NAME}"


def swap_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL)
        schema_editor.execute(OLD_DROP_SQL)


def restore_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_CREATE_SQL)
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0005_course_counters"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=courses.search.CourseSearchDocument(),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.RunPython(swap_indexes, restore_indexes, elidable=False),
    ]
