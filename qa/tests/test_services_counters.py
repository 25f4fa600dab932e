"""The stored counters stay exact through every write: a question's visible answers and their
ratings, a category's visible questions; the recount (and migration 0006) count them from the
posts."""

from __future__ import annotations

import importlib
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import User
from qa import selectors, services
from qa.models import Answer, Category, Question
from qa.services.counters import Recount, counters_recount
from qa.services.moderation import FLAGS_TO_HIDE
from qa.tests.factories import StudentFactory, make_answer, make_question

pytestmark = pytest.mark.django_db

fill = importlib.import_module("qa.migrations.0006_fill_stored_counters")


def _counts(question: Question) -> tuple[int, int]:
    question.refresh_from_db()
    return question.answer_count, question.rating_count


def _category_count(category: Category) -> int:
    category.refresh_from_db()
    return category.question_count


def _assert_nothing_to_recount() -> None:
    """Counted from the posts, every stored counter is already right."""
    assert counters_recount() == Recount(questions=0, categories=0)


def _star(answer: Answer, stars: int, rater: User | None = None) -> User:
    rater = rater or StudentFactory()
    services.answer_star(answer=answer, rater=rater, stars=stars)
    return rater


def test_answers_count_when_posted_and_deleted(question: Question, answerer: User) -> None:
    first = make_answer(question=question, author=answerer)
    second = make_answer(question=question)
    assert _counts(question) == (2, 0)

    _star(second, 4)
    _star(second, 2)
    assert _counts(question) == (2, 2)

    services.answer_delete(answer=second, actor=second.author)
    assert _counts(question) == (1, 0)
    services.answer_delete(answer=first, actor=answerer)
    assert _counts(question) == (0, 0)
    _assert_nothing_to_recount()


def test_ratings_count_once_per_rater_and_a_changed_rating_counts_the_same(
    answer: Answer, question: Question
) -> None:
    rater = _star(answer, 5)
    _star(answer, 3, rater=rater)  # the same rater again: replaced, not added
    assert _counts(question) == (1, 1)

    _star(answer, 1)
    assert _counts(question) == (1, 2)
    _assert_nothing_to_recount()


def test_a_hidden_answer_and_its_ratings_leave_the_counts_until_shown_again(
    answer: Answer, question: Question, admin_user: User
) -> None:
    make_answer(question=question)
    _star(answer, 4)
    _star(answer, 5)
    assert _counts(question) == (2, 2)

    services.post_hide(post=answer, moderator=admin_user)
    assert _counts(question) == (1, 0)
    services.post_hide(post=answer, moderator=admin_user)  # hiding it again changes nothing
    assert _counts(question) == (1, 0)

    services.post_unhide(post=answer, moderator=admin_user)
    assert _counts(question) == (2, 2)
    _assert_nothing_to_recount()


def test_flags_that_hide_an_answer_and_dismissals_that_show_it_move_the_counts(
    answer: Answer, question: Question, admin_user: User
) -> None:
    _star(answer, 3)
    flags = [
        services.post_flag(flagger=StudentFactory(), post=answer, reason="spam")
        for _ in range(FLAGS_TO_HIDE)
    ]
    assert _counts(question) == (0, 0)

    for flag in flags:
        services.flag_resolve(flag=flag, moderator=admin_user, uphold=False)
    assert _counts(question) == (1, 1)
    _assert_nothing_to_recount()


def test_deleting_a_hidden_answer_does_not_count_it_out_twice(
    answer: Answer, question: Question, admin_user: User
) -> None:
    make_answer(question=question)
    _star(answer, 2)
    services.post_hide(post=answer, moderator=admin_user)

    services.answer_delete(answer=answer, actor=admin_user)

    assert _counts(question) == (1, 0)
    _assert_nothing_to_recount()


def test_a_removed_raters_withdrawn_ratings_leave_the_count(
    answer: Answer, question: Question, admin_user: User
) -> None:
    leaving = _star(answer, 5)
    _star(answer, 4)
    other = make_answer(question=question)
    _star(other, 1, rater=leaving)
    assert _counts(question) == (2, 3)

    services.rater_contributions_reverse(rater=leaving)
    assert _counts(question) == (2, 1)

    # A hidden answer's withdrawn rating was already out of the count, and stays out when shown.
    hidden_rater = _star(other, 3)
    services.post_hide(post=other, moderator=admin_user)
    services.rater_contributions_reverse(rater=hidden_rater)
    assert _counts(question) == (1, 1)
    services.post_unhide(post=other, moderator=admin_user)
    assert _counts(question) == (2, 1)
    _assert_nothing_to_recount()


def test_a_categorys_count_follows_questions_asked_moved_hidden_and_deleted(
    categories: dict[str, Category], asker: User, admin_user: User
) -> None:
    devops, data = categories["devops"], categories["data"]
    first = make_question(asker=asker, category=devops)
    second = make_question(asker=asker, category=devops)
    make_question(asker=asker)  # uncategorised by the asker: the classifier may file it
    assert _category_count(devops) == Question.objects.filter(category=devops).count()
    devops_before = _category_count(devops)

    services.question_update(question=first, editor=asker, category=data)
    assert (_category_count(devops), _category_count(data)) == (devops_before - 1, 1)

    services.post_hide(post=second, moderator=admin_user)
    assert _category_count(devops) == devops_before - 2
    # Moving a hidden question moves nothing: it was not counted.
    services.question_update(question=second, editor=asker, category=data)
    assert (_category_count(devops), _category_count(data)) == (devops_before - 2, 1)
    services.post_unhide(post=second, moderator=admin_user)
    assert _category_count(data) == 2

    services.question_update(question=second, editor=asker, category=None)
    assert _category_count(data) == 1
    services.question_delete(question=first, actor=asker)
    assert _category_count(data) == 0
    _assert_nothing_to_recount()


def test_the_list_and_the_category_list_show_the_stored_counts(
    question: Question, answer: Answer, admin_user: User, categories: dict[str, Category]
) -> None:
    hidden = make_answer(question=question)
    _star(hidden, 5)
    _star(answer, 4)
    services.post_hide(post=hidden, moderator=admin_user)

    listed = list(selectors.question_list(viewer=None))
    assert [(q.pk, q.answer_count, q.rating_count) for q in listed] == [(question.pk, 1, 1)]
    counts = {category.slug: category.question_count for category in selectors.category_list()}
    assert counts["devops"] == 1
    assert counts["data"] == 0


def test_the_recount_corrects_drifted_counters_and_says_how_many(
    question: Question, answer: Answer, categories: dict[str, Category]
) -> None:
    _star(answer, 4)
    untouched = make_question(category=categories["data"])
    Question.objects.filter(pk=question.pk).update(answer_count=7, rating_count=0)
    Category.objects.filter(slug="devops").update(question_count=40)

    assert counters_recount() == Recount(questions=1, categories=1)

    assert _counts(question) == (1, 1)
    assert _counts(untouched) == (0, 0)
    assert _category_count(categories["devops"]) == 1
    assert _category_count(categories["data"]) == 1

    Question.objects.filter(pk=untouched.pk).update(answer_count=3)
    out = StringIO()
    call_command("qa_counters_recount", stdout=out)
    assert out.getvalue().strip() == "Recounted: 1 question(s) and 0 category(ies) corrected."
    assert _counts(untouched) == (0, 0)


def test_migration_0006_fills_the_counters_from_the_posts(
    question: Question, answer: Answer, admin_user: User, categories: dict[str, Category]
) -> None:
    hidden = make_answer(question=question)
    _star(hidden, 5)
    _star(answer, 3)
    _star(answer, 2)
    services.post_hide(post=hidden, moderator=admin_user)
    hidden_question = make_question(category=categories["devops"])
    services.post_hide(post=hidden_question, moderator=admin_user)
    Question.objects.update(answer_count=0, rating_count=0)  # as just after migration 0005
    Category.objects.update(question_count=0)

    fill.fill_counters(apps, None)

    assert _counts(question) == (1, 2)
    assert _category_count(categories["devops"]) == 1  # the hidden question is not counted
    _assert_nothing_to_recount()
