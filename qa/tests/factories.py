"""Test data for the help center, made through the real services (revisions, follows, rules)."""

from __future__ import annotations

import itertools
from typing import Any

from accounts.models import User
from accounts.tests.factories import (  # noqa: F401 - re-exported for the qa tests
    AdminFactory,
    InstructorFactory,
    StudentFactory,
)
from qa import services
from qa.models import Answer, Category, Question

_counter = itertools.count(1)


def make_question(
    *,
    asker: User | None = None,
    title: str | None = None,
    body: str = "A question body that is long enough to be accepted.",
    category: Category | None = None,
    **extra: Any,
) -> Question:
    """A question by a new student unless `asker` is given (category: the asker's choice)."""
    number = next(_counter)
    return services.question_create(
        asker=asker or StudentFactory(),
        title=title or f"How do I solve problem number {number}?",
        body=body,
        category=category,
        **extra,
    )


def make_answer(
    *, question: Question, author: User | None = None, body: str = "Try this approach first."
) -> Answer:
    """An answer by a new student unless `author` is given."""
    return services.answer_create(author=author or StudentFactory(), question=question, body=body)


def forget_cache() -> None:
    """Empty this test process's cache (conftest.py scopes clear() to the process's prefix)."""
    from django.core.cache import cache

    cache.clear()
