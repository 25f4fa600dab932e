"""Bounties on the question page and in the API: who sees the form, offering, errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from gamification import services as gamification_services
from gamification.models import LearnerStats
from gamification.rules import Action
from qa.models import Bounty, Question
from qa.tests.factories import forget_cache, make_answer

pytestmark = pytest.mark.django_db


def _level_10(user: User) -> User:
    gamification_services.xp_award(
        user=user, action=Action.MANUAL_GRANT, idempotency_key=f"grant:{user.pk}", amount=2700
    )
    return user


def _page(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_level_10_asker_offers_a_bounty_from_the_question_page(
    question: Question, asker: User
) -> None:
    _level_10(asker)
    client = _page(asker)

    before = client.get(f"/questions/{question.pk}/").content.decode()
    response = client.post(f"/questions/{question.pk}/bounty/", {"amount": "60"}, follow=True)

    assert "Offer the bounty" in before
    assert 'min="10" max="100"' in before
    html = response.content.decode()
    assert "Your 60 XP bounty is on until" in html
    assert "<strong>60 XP</strong> go to the answer the asker accepts before" in html
    assert "Offer the bounty" not in html
    assert LearnerStats.objects.get(user=asker).total_xp == 2640


def test_the_page_says_why_a_low_level_asker_cannot_offer_and_others_see_no_form(
    question: Question, asker: User, other_student: User
) -> None:
    asker_html = _page(asker).get(f"/questions/{question.pk}/").content.decode()
    other_html = _page(other_student).get(f"/questions/{question.pk}/").content.decode()

    assert "Bounties unlock at level 10; you are level 1." in asker_html
    assert "Offer the bounty" not in asker_html
    assert "Offer the bounty" not in other_html
    assert "Bounties unlock" not in other_html


def test_a_refused_offer_on_the_page_shows_the_reason_and_changes_nothing(
    question: Question, asker: User
) -> None:
    _level_10(asker)

    response = _page(asker).post(f"/questions/{question.pk}/bounty/", {"amount": "5"}, follow=True)

    assert "A bounty is a whole number of XP from 10 to 100." in response.content.decode()
    assert not Bounty.objects.exists()
    assert LearnerStats.objects.get(user=asker).total_xp == 2700


def test_the_question_page_runs_a_fixed_number_of_queries_with_a_bounty(
    question: Question, asker: User, answerer: User
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _level_10(asker)
    client = _page(asker)
    client.post(f"/questions/{question.pk}/bounty/", {"amount": "20"})

    def queries() -> int:
        forget_cache()  # every measured visit is a first visit (its view is recorded)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/questions/{question.pk}/").status_code == 200
        return len(captured.captured_queries)

    make_answer(question=question, author=answerer)
    few = queries()
    for _ in range(6):
        make_answer(question=question, author=answerer)
    assert queries() == few


def test_the_api_offers_and_shows_a_bounty(question: Question, asker: User) -> None:
    _level_10(asker)
    client = _api(asker)

    missing = client.get(f"/api/v1/questions/{question.pk}/bounty")
    offered = client.post(f"/api/v1/questions/{question.pk}/bounty", {"amount": 75}, format="json")
    shown = APIClient().get(f"/api/v1/questions/{question.pk}/bounty")

    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "bounty_not_found"
    assert offered.status_code == 201
    body = offered.json()
    assert (body["amount"], body["status"], body["sponsor_id"], body["question_id"]) == (
        75,
        "open",
        asker.pk,
        question.pk,
    )
    assert shown.status_code == 200
    assert shown.json() == body


@pytest.mark.parametrize(
    ("amount", "status", "code"),
    [(5, 400, "validation_error"), ("many", 400, "validation_error"), (101, 400, None)],
)
def test_bad_amounts_in_the_api_are_a_400(
    question: Question, asker: User, amount: Any, status: int, code: str | None
) -> None:
    _level_10(asker)

    response = _api(asker).post(
        f"/api/v1/questions/{question.pk}/bounty", {"amount": amount}, format="json"
    )

    assert response.status_code == status
    assert list(response.json()["error"]["fields"]) == ["amount"]
    assert not Bounty.objects.exists()


def test_the_api_refuses_others_low_levels_and_a_second_bounty(
    question: Question, asker: User, other_student: User, answerer: User
) -> None:
    low = _api(asker).post(f"/api/v1/questions/{question.pk}/bounty", {"amount": 20})
    _level_10(other_student)
    not_asker = _api(other_student).post(f"/api/v1/questions/{question.pk}/bounty", {"amount": 20})
    _level_10(asker)
    first = _api(asker).post(f"/api/v1/questions/{question.pk}/bounty", {"amount": 20})
    second = _api(asker).post(f"/api/v1/questions/{question.pk}/bounty", {"amount": 20})

    assert (low.status_code, low.json()["error"]["code"]) == (403, "level_too_low")
    assert (not_asker.status_code, not_asker.json()["error"]["code"]) == (403, "not_asker")
    assert first.status_code == 201
    assert (second.status_code, second.json()["error"]["code"]) == (409, "bounty_unavailable")
    assert Bounty.objects.count() == 1
