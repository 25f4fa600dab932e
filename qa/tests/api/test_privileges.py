"""Reputation privileges at their documented thresholds, enforced by the API (and the pages).

The thresholds are the ones qa.reputation documents and /questions/privileges/ shows: comment on
others' posts at 15, edit others' posts at 200, close (and reopen) questions, e.g. as
duplicates, at 500. One point below is refused with 403 and nothing changes; at the threshold it
works.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from qa import reputation
from qa.models import Answer, Comment, PostRevision, Question, UserReputation
from qa.tests.factories import StudentFactory, make_question

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], APIClient]


def _member_with(points: int) -> User:
    member = StudentFactory()
    UserReputation.objects.create(user=member, points=points)
    return member


def _refusal(response, code: str, required: int, points: int) -> str:
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "privilege_required"
    assert error["extra"] == {"privilege": code, "required": required, "reputation": points}
    return error["message"]


def test_the_documented_thresholds() -> None:
    assert reputation.PRIVILEGE_THRESHOLDS == {"ask": 0, "comment": 15, "edit": 200, "close": 500}


@pytest.mark.parametrize("target", ["question", "answer"])
def test_commenting_on_others_posts_needs_15_reputation(
    target: str, answer: Answer, api_client_for: ClientFor
) -> None:
    url = (
        f"/api/v1/questions/{answer.question_id}/comments"
        if target == "question"
        else f"/api/v1/answers/{answer.pk}/comments"
    )

    below = api_client_for(_member_with(14)).post(url, {"body": "Which version?"}, format="json")
    at = api_client_for(_member_with(15)).post(url, {"body": "Which version?"}, format="json")

    message = _refusal(below, "comment", 15, 14)
    assert message == "You need 15 reputation to comment on other people's posts (you have 14)."
    assert at.status_code == 201
    assert Comment.objects.count() == 1


def test_editing_others_answers_needs_200_reputation(
    answer: Answer, api_client_for: ClientFor
) -> None:
    url = f"/api/v1/answers/{answer.pk}"
    change = {"body": "Run the server with exec so signals reach it.", "note": "why"}

    below = api_client_for(_member_with(199)).patch(url, change, format="json")
    answer.refresh_from_db()
    assert answer.body == "Run the server with exec."
    editor = _member_with(200)
    at = api_client_for(editor).patch(url, change, format="json")

    _refusal(below, "edit", 200, 199)
    assert at.status_code == 200
    assert at.json()["body"] == change["body"]
    latest = PostRevision.objects.filter(answer=answer).order_by("-number").first()
    assert (latest.number, latest.editor, latest.note) == (2, editor, "why")


def test_editing_others_questions_needs_200_reputation(
    question: Question, api_client_for: ClientFor
) -> None:
    url = f"/api/v1/questions/{question.pk}"

    below = api_client_for(_member_with(199)).patch(
        url, {"title": "Docker container exits with code 0"}, format="json"
    )
    at = api_client_for(_member_with(200)).patch(
        url, {"title": "Docker container exits with code 0"}, format="json"
    )

    _refusal(below, "edit", 200, 199)
    assert at.status_code == 200
    assert Question.objects.get(pk=question.pk).title == "Docker container exits with code 0"


def test_closing_others_questions_as_duplicates_needs_500_reputation(
    question: Question, api_client_for: ClientFor
) -> None:
    original = make_question(title="Why does my Docker container stop right after starting?")
    url = f"/api/v1/questions/{question.pk}/close"
    body = {"reason": "duplicate", "duplicate_of": original.pk}

    below = api_client_for(_member_with(499)).post(url, body, format="json")
    assert Question.objects.get(pk=question.pk).status == "open"
    closer = _member_with(500)
    at = api_client_for(closer).post(url, body, format="json")

    _refusal(below, "close", 500, 499)
    assert at.status_code == 200
    assert (at.json()["status"], at.json()["duplicate_of_id"]) == ("closed", original.pk)
    assert Question.objects.get(pk=question.pk).closed_by == closer
    reopened = api_client_for(_member_with(499)).post(f"/api/v1/questions/{question.pk}/reopen")
    _refusal(reopened, "close", 500, 499)


def test_the_pages_enforce_the_close_privilege(question: Question) -> None:
    original = make_question(title="Why does my Docker container stop right after starting?")
    detail = reverse("qa:detail", args=[question.pk])
    close = reverse("qa:close", args=[question.pk])
    form = {"reason": "duplicate", "duplicate_of": original.pk}

    below = Client()
    below.force_login(_member_with(499))
    assert "Close this question" not in below.get(detail).content.decode()
    refused = below.post(close, form, follow=True).content.decode()
    assert "You need 500 reputation to close questions (you have 499)." in refused
    assert Question.objects.get(pk=question.pk).status == "open"

    at = Client()
    at.force_login(_member_with(500))
    assert "Close this question" in at.get(detail).content.decode()
    closed = at.post(close, form, follow=True).content.decode()
    assert "The question is closed." in closed
    assert f'see <a href="/questions/{original.pk}/">' in closed
    assert Question.objects.get(pk=question.pk).duplicate_of == original


def test_the_edit_page_is_not_offered_below_200_reputation(answer: Answer) -> None:
    below = Client()
    below.force_login(_member_with(199))
    at = Client()
    at.force_login(_member_with(200))
    question_edit = reverse("qa:edit", args=[answer.question_id])
    answer_edit = reverse("qa:answer_edit", args=[answer.pk])

    refused = below.get(question_edit, follow=True)
    refused_answer = below.get(answer_edit, follow=True)

    assert refused.redirect_chain == [(reverse("qa:detail", args=[answer.question_id]), 302)]
    assert (
        "You need 200 reputation to edit other people&#x27;s posts (you have 199)."
        in refused.content.decode()
    )
    assert refused_answer.status_code == 200
    assert "You need 200 reputation" in refused_answer.content.decode()
    assert "<h1>Edit" not in refused_answer.content.decode()
    assert at.get(question_edit).status_code == 200
    assert at.get(answer_edit).status_code == 200
