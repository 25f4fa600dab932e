"""PostgreSQL only: a GIN index on the courses' weighted full-text search vector.

The expression is exactly `courses.selectors.CourseSearchDocument`, so catalog searches use the
index. Other databases (SQLite) search with a plain substring match and get nothing here; the
index lives outside the model state, so `makemigrations --check` stays clean on every database.
"""

from django.db import migrations

INDEX_NAME = "courses_course_search_gin"
CREATE_SQL = f"""
CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON courses_course USING gin ((
    setweight(to_tsvector('english'::regconfig, title), 'A') ||
    setweight(to_tsvector('english'::regconfig, subtitle), 'B') ||
    setweight(to_tsvector('english'::regconfig, description), 'C')
))
"""
DROP_SQL = f"DROP INDEX IF EXISTS {INDEX_NAME}"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_courses_catalog_outline_progress")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
