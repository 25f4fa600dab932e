"""The courses' full-text search document, stored on Course (`Course.search_document`).

On PostgreSQL it is the weighted text-search vector of a course: title (A), subtitle (B),
description (C), a generated column kept by the database itself (so no write can leave it
stale) with the GIN index courses_course_search_document (migration 0006). Elsewhere (SQLite)
the column is empty and the catalog searches with a substring match instead.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchVectorField
from django.db.models import F, Func

SEARCH_CONFIG = "english"


class CourseSearchDocument(Func):
    """The expression of `Course.search_document` (NULL on databases without text search)."""

    output_field = SearchVectorField()

    def __init__(self) -> None:
        super().__init__(F("title"), F("subtitle"), F("description"))

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list]:
        return "NULL", []

    def as_postgresql(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, list]:
        parts: list[str] = []
        params: list[Any] = []
        for expression in self.source_expressions:
            sql, expression_params = compiler.compile(expression)
            parts.append(sql)
            params.extend(expression_params)
        title, subtitle, description = parts
        config = f"'{SEARCH_CONFIG}'::regconfig"
        return (
            f"(setweight(to_tsvector({config}, {title}), 'A') || "
            f"setweight(to_tsvector({config}, {subtitle}), 'B') || "
            f"setweight(to_tsvector({config}, {description}), 'C'))",
            params,
        )
