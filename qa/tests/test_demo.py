"""The demo data the lead's seed_demo calls."""

from __future__ import annotations

import pytest

from qa.demo import DEMO_QUESTIONS, seed_qa_demo
from qa.models import Answer, Category, Question, XpAward

pytestmark = pytest.mark.django_db


def test_seeding_the_demo_twice_creates_everything_once() -> None:
    first = seed_qa_demo()
    second = seed_qa_demo()

    assert first == {"categories": 7, "questions": len(DEMO_QUESTIONS), "answers": 11}
    assert second == {"categories": 7, "questions": 0, "answers": 0}
    assert set(Category.objects.values_list("name", flat=True)) == {
        "DevOps", "Python", "JavaScript", "AI/ML", "Data", "Design", "Career",
    }  # fmt: skip
    assert Question.objects.count() == 10
    assert Answer.objects.filter(is_accepted=True).count() == 6
    assert XpAward.objects.count() == 6
    # Questions seeded without a category were filed by the classifier.
    assert set(
        Question.objects.filter(category_source="classifier").values_list(
            "category__slug", flat=True
        )
    ) == {"javascript", "data"}
