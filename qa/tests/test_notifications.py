"""The help center's events reach people as notifications (the notifications app subscribes):
your question got an answer, your answer got rated (stars or XP) or accepted."""

from __future__ import annotations

import pytest

from accounts.models import User
from notifications.models import Kind, Notification
from qa import services
from qa.exceptions import NotAskerError
from qa.models import Answer, Question

pytestmark = pytest.mark.django_db


QA_KINDS = [Kind.ANSWER_POSTED, Kind.ANSWER_RATED, Kind.ANSWER_ACCEPTED]


def _notifications(user: User) -> list[tuple[str, str, str]]:
    """The user's help-center notifications (gamification's badges may come along too)."""
    return [
        (notification.kind, notification.title, notification.link)
        for notification in Notification.objects.filter(recipient=user, kind__in=QA_KINDS).order_by(
            "id"
        )
    ]


def test_the_asker_and_the_answerer_are_notified_of_each_step(
    question: Question,
    asker: User,
    answerer: User,
    other_student: User,
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.answer_create(
            author=answerer, question=question, body="Run the server with exec."
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_star(answer=answer, rater=other_student, stars=4)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_rate(answer=answer, asker=asker, xp=7)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_accept(answer=answer, actor=asker)

    link = f"/questions/{question.pk}/#answer-{answer.pk}"
    assert _notifications(asker) == [
        (Kind.ANSWER_POSTED, f"Ben Answerer answered “{question.title}”", link)
    ]
    assert _notifications(answerer) == [
        (Kind.ANSWER_RATED, "Your answer received 4 stars", link),
        (Kind.ANSWER_RATED, "Your answer received 7 XP", link),
        (Kind.ANSWER_ACCEPTED, "Your answer was accepted", link),
    ]
    assert _notifications(other_student) == []


def test_a_refused_rating_notifies_nobody(
    answer: Answer, answerer: User, other_student: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(NotAskerError):
        services.answer_rate(answer=answer, asker=other_student, xp=7)

    assert _notifications(answerer) == []
