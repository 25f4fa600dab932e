"""AI practice questions the learner answered become their revision cards (through ai_tools'
practice_set_submitted event: ai_tools never imports learning)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from ai_tools import services as ai_services
from ai_tools.tests.factories import plan_subscribe, tides_course
from courses.tests.factories import EnrollmentFactory
from learning.models import ReviewCard, ReviewLog

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def _practice(student: User, capture: Any, *, module: bool = False) -> tuple[Any, Any]:
    course, tides, _ = tides_course()
    EnrollmentFactory(learner=student, course=course)
    plan_subscribe(student, "pro")  # the AI study tools come with Pro
    with capture(execute=True):
        source = {"module": tides.module} if module else {"lesson": tides}
        practice = ai_services.practice_set_create(user=student, count=3, **source)
    practice.refresh_from_db()
    assert practice.status == "ready"
    return course, practice


def _submit(student: User, practice: Any, answers: dict[str, str], capture: Any) -> None:
    with capture(execute=True):
        ai_services.practice_set_submit(user=student, practice_set=practice, answers=answers)


def test_answered_practice_questions_become_cards_rated_by_the_answer(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    course, practice = _practice(student, django_capture_on_commit_callbacks)
    first, second, third = practice.questions
    with time_machine.travel(NOON, tick=False):
        _submit(
            student,
            practice,
            {"1": first["answer"].upper(), "2": "not it", "3": ""},
            django_capture_on_commit_callbacks,
        )

    cards = {card.prompt: card for card in ReviewCard.objects.filter(learner=student)}
    assert set(cards) == {first["stem"], second["stem"], third["stem"]}
    right = cards[first["stem"]]
    assert (right.course_id, right.question_id, right.answer_text) == (
        course.pk,
        None,
        first["answer"],
    )
    assert right.choice_texts == first["choices"]
    assert right.explanation == first["explanation"]
    ratings = {
        log.card.prompt: (log.rating, log.source, log.source_id)
        for log in ReviewLog.objects.select_related("card")
    }
    assert ratings == {
        first["stem"]: (3, "practice", practice.pk),
        second["stem"]: (1, "practice", practice.pk),
        third["stem"]: (1, "practice", practice.pk),
    }
    # "Again" comes back within minutes, the same day.
    assert NOON < cards[second["stem"]].due <= NOON + dt.timedelta(minutes=10)


def test_a_retake_of_the_same_set_rates_nothing_again_and_another_set_updates_the_same_card(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    _, practice = _practice(student, django_capture_on_commit_callbacks)
    right = {str(q["number"]): q["answer"] for q in practice.questions}
    with time_machine.travel(NOON, tick=False):
        _submit(student, practice, right, django_capture_on_commit_callbacks)
    with time_machine.travel(NOON + dt.timedelta(minutes=5), tick=False):
        _submit(student, practice, {}, django_capture_on_commit_callbacks)
    assert ReviewLog.objects.count() == 3
    assert set(ReviewLog.objects.values_list("rating", flat=True)) == {3}

    # The same questions again (the cache reuses them) in a new set, days later: the same cards.
    with django_capture_on_commit_callbacks(execute=True):
        again = ai_services.practice_set_create(user=student, lesson=practice.lesson, count=3)
    assert again.questions == practice.questions
    with time_machine.travel(NOON + dt.timedelta(days=3), tick=False):
        _submit(student, again, right, django_capture_on_commit_callbacks)
    assert ReviewCard.objects.filter(learner=student).count() == 3
    assert ReviewLog.objects.count() == 6
    assert set(ReviewCard.objects.values_list("reviews", flat=True)) == {2}


def test_practice_cards_show_on_the_review_page_and_in_the_api(
    student: User, other_student: User, django_capture_on_commit_callbacks: Any
) -> None:
    _, practice = _practice(student, django_capture_on_commit_callbacks, module=True)
    first = practice.questions[0]
    with time_machine.travel(NOON, tick=False):
        _submit(student, practice, {}, django_capture_on_commit_callbacks)

    with time_machine.travel(NOON + dt.timedelta(hours=1), tick=False):
        api = APIClient()
        api.force_authenticate(student)
        due = api.get("/api/v1/reviews/due").json()
        client = Client()
        client.force_login(student)
        page = client.get("/review/").content.decode()
        api.force_authenticate(other_student)
        others = api.get("/api/v1/reviews/due").json()

    assert len(due) == 3
    card = next(item for item in due if item["question"] == first["stem"])
    assert card["kind"] == "practice"
    assert card["answer"] == [first["answer"]]
    assert [choice["text"] for choice in card["choices"]] == first["choices"]
    assert "From your AI practice questions." in page
    assert others == []
