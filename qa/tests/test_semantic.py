"""The help center with and without the optional semantic extra (requirements-ai.txt): duplicate
suggestions by meaning, and categories blended with the nearest labelled questions."""

from __future__ import annotations

from typing import Any

import pytest

from core import semantic
from qa import classifier, selectors
from qa.models import Category, Question
from qa.services import question_categorise
from qa.tests.factories import make_question
from qa.tests.test_classifier import _holdout, _keywords

ASKED = "How can I make my website look right on phones?"
PARAPHRASE = "Responsive layout for small mobile screens"  # not one word in common with ASKED
UNRELATED = "Deploying Django with gunicorn behind nginx"

with_the_extra = pytest.mark.skipif(
    not semantic.is_available(),
    reason="the semantic extra (requirements-ai.txt) is not installed; CI installs it and runs "
    "this file in a step of its own",
)


def test_without_the_extra_a_paraphrase_sharing_no_word_is_not_suggested(
    settings: Any, categories: dict[str, Category], asker: Any
) -> None:
    settings.AI_SEMANTIC_SEARCH = False
    make_question(title=PARAPHRASE, category=categories["design"])

    assert not semantic.is_available()
    assert classifier.similarity(ASKED, PARAPHRASE) == 0.0
    assert selectors.question_similar_list(title=ASKED, viewer=asker) == []


@with_the_extra
def test_with_the_extra_a_paraphrase_is_suggested_and_an_unrelated_question_is_not(
    categories: dict[str, Category], asker: Any
) -> None:
    paraphrase = make_question(title=PARAPHRASE, category=categories["design"])
    make_question(title=UNRELATED, category=categories["devops"])
    hidden = make_question(
        title="Responsive layout for mobile phones", category=categories["design"]
    )
    Question.objects.filter(pk=hidden.pk).update(is_hidden=True)

    suggested = selectors.question_similar_list(title=ASKED, viewer=asker)

    assert suggested == [paraphrase]  # hidden questions stay hidden, meaning or not


@with_the_extra
def test_with_the_extra_categories_are_right_more_often_on_held_out_questions(
    categories: dict[str, Category], record_property: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    holdout = _holdout()
    words_only = classifier.CategoryClassifier(classifier.seed_examples(), _keywords())
    words_correct = sum(
        1
        for example in holdout
        if words_only.predict(example.title, example.body).label == example.label
    )

    predictions = [question_categorise(title=e.title, body=e.body) for e in holdout]
    correct = sum(
        1
        for example, (category, _) in zip(holdout, predictions, strict=True)
        if category is not None and category.slug == example.label
    )
    methods = sorted({prediction.method for _, prediction in predictions})
    report = (
        f"with the semantic extra: accuracy {correct / len(holdout):.1%} ({correct}/{len(holdout)}"
        f" held-out questions), words alone {words_correct}/{len(holdout)}; decided by: {methods}"
    )
    record_property("classifier_report", report)
    with capsys.disabled():
        print(f"\n[qa classifier] {report}")

    assert "semantic" in methods
    assert correct > words_correct, report
    assert correct / len(holdout) >= 0.95, report


@with_the_extra
def test_a_category_chosen_by_meaning_says_which_question_it_resembles(
    categories: dict[str, Category],
) -> None:
    question = make_question(
        title="How do I fix a kubectl rollout that never finishes?",
        body="My kubernetes deployment hangs at 1 of 3 pods updated.",
    )

    assert question.category == categories["devops"]
    assert question.category_source == Question.CategorySource.CLASSIFIER
    assert question.category_explanation.startswith("Chosen by the classifier and by meaning ("), (
        question.category_explanation
    )
    assert 'closest to "' in question.category_explanation
