"""The stored counters lists show: a question's visible answers and their ratings, a category's
visible questions.

Visible means not hidden, whoever looks (the list has always counted them so): a hidden answer
leaves its question's answer count and takes its star ratings out of the question's rating count;
a hidden question leaves its category's count. The services that change any of that call the
`*_add` functions here in their own transaction, holding the row lock of the post that changed,
and the additions are F() expressions, so two writers never lose each other's change.
`counters_recount` recounts everything from the posts (the data migration and
`manage.py qa_counters_recount` use it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from core.subqueries import total_subquery
from qa.models import Answer, Category, Question

RECOUNT_BATCH = 2000


def question_counts_add(
    *, question_id: int, answers: int = 0, ratings: int = 0, **also: Any
) -> None:
    """Add to a question's visible answer and rating counts (and set `also` in the same UPDATE)."""
    changes: dict[str, Any] = dict(also)
    if answers:
        changes["answer_count"] = F("answer_count") + answers
    if ratings:
        changes["rating_count"] = F("rating_count") + ratings
    if changes:
        Question.objects.filter(pk=question_id).update(**changes)


def category_count_add(*, category_id: int | None, questions: int) -> None:
    """Add to a category's count of visible questions (nothing for an uncategorised question)."""
    if category_id is not None and questions:
        Category.objects.filter(pk=category_id).update(
            question_count=F("question_count") + questions
        )


def answer_visibility_counted(*, answer: Answer, hidden: bool) -> None:
    """A locked answer is about to be hidden or shown: its question's counts follow."""
    if answer.is_hidden == hidden:
        return
    sign = -1 if hidden else 1
    question_counts_add(
        question_id=answer.question_id, answers=sign, ratings=sign * answer.star_count
    )


def question_visibility_counted(*, question: Question, hidden: bool) -> None:
    """A question (locked, before its change) is being hidden or shown: its category's count
    follows."""
    if question.is_hidden != hidden:
        category_count_add(category_id=question.category_id, questions=-1 if hidden else 1)


# --- recounting ---------------------------------------------------------------------------------


def expected_answer_count() -> Coalesce:
    """The visible answers of the question at OuterRef("pk"), counted from the answers."""
    answers = Answer.objects.filter(question=OuterRef("pk"), is_hidden=False)
    return total_subquery(answers, per="question")


def expected_rating_count() -> Coalesce:
    """The star ratings of the visible answers of the question at OuterRef("pk")."""
    ratings = Answer.objects.filter(question=OuterRef("pk"), is_hidden=False)
    return total_subquery(ratings, per="question", aggregate=Sum("star_count"))


def expected_question_count() -> Coalesce:
    """The visible questions of the category at OuterRef("pk")."""
    questions = Question.objects.filter(category=OuterRef("pk"), is_hidden=False)
    return total_subquery(questions, per="category")


@dataclass(frozen=True)
class Recount:
    """How many rows held a wrong count (and were corrected)."""

    questions: int
    categories: int


def _batches(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), RECOUNT_BATCH):
        yield ids[start : start + RECOUNT_BATCH]


@transaction.atomic
def _recount_questions(ids: list[int]) -> int:
    stale = list(
        Question.objects.filter(pk__in=ids)
        .select_for_update()
        .annotate(
            expected_answers=expected_answer_count(), expected_ratings=expected_rating_count()
        )
        .filter(~Q(answer_count=F("expected_answers")) | ~Q(rating_count=F("expected_ratings")))
        .values_list("pk", flat=True)
    )
    if stale:
        Question.objects.filter(pk__in=stale).update(
            answer_count=expected_answer_count(), rating_count=expected_rating_count()
        )
    return len(stale)


@transaction.atomic
def _recount_categories() -> int:
    stale = list(
        Category.objects.select_for_update()
        .annotate(expected=expected_question_count())
        .exclude(question_count=F("expected"))
        .values_list("pk", flat=True)
    )
    if stale:
        Category.objects.filter(pk__in=stale).update(question_count=expected_question_count())
    return len(stale)


def counters_recount(*, question_ids: Iterable[int] | None = None) -> Recount:
    """Recount the questions' (all, or these) and every category's counters from the posts, in
    batches of RECOUNT_BATCH questions; returns how many were wrong."""
    ids = (
        sorted(question_ids)
        if question_ids is not None
        else list(Question.objects.order_by("pk").values_list("pk", flat=True))
    )
    questions = sum(_recount_questions(batch) for batch in _batches(ids))
    return Recount(questions=questions, categories=_recount_categories())
