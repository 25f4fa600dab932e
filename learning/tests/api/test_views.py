from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from accounts.models import User
from courses.models import Course, Quiz
from learning import services
from learning.models import LearningPreference, Mode, ReviewCard, ReviewLog
from learning.tests.helpers import answer_quiz

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ENDPOINTS = [
    ("get", "/api/v1/reviews/due"),
    ("get", "/api/v1/reviews/stats"),
    ("post", "/api/v1/reviews/1"),
    ("get", "/api/v1/learning/preferences"),
    ("patch", "/api/v1/learning/preferences"),
    ("get", "/api/v1/learning/courses/1/mode"),
    ("post", "/api/v1/learning/heartbeat"),
    ("post", "/api/v1/learning/break"),
    ("get", "/api/v1/learning/lessons/1/next"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_callers_get_401(db: None, method: str, url: str) -> None:
    response = getattr(APIClient(), method)(url)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.fixture
def cards(learner: User, quiz: Quiz) -> list[ReviewCard]:
    with time_machine.travel(START, tick=False):
        services.cards_ensure(learner=learner, questions=quiz.questions.all())
    return list(ReviewCard.objects.order_by("pk"))


def test_due_lists_the_learners_cards_with_answers_within_a_query_budget(
    learner: User,
    other_learner: User,
    quiz: Quiz,
    cards: list[ReviewCard],
    client_for: Callable[[User], APIClient],
    django_assert_max_num_queries,
) -> None:
    services.cards_ensure(learner=other_learner, questions=quiz.questions.all())
    client = client_for(learner)
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/reviews/due")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [card["id"] for card in body["results"]] == [card.pk for card in cards]
    first = body["results"][0]
    assert first["course"]["title"] == "Spaced practice"
    assert first["state"] == "Learning"
    assert [choice["text"] for choice in first["question"]["choices"]] == ["right", "wrong"]
    assert len(first["question"]["answer"]["correct_choice_ids"]) == 1


def test_due_filters_by_course_and_rejects_a_bad_course_id(
    learner: User, cards: list[ReviewCard], client_for: Callable[[User], APIClient]
) -> None:
    client = client_for(learner)
    assert client.get(f"/api/v1/reviews/due?course={cards[0].course_id}").json()["count"] == 3
    assert client.get(f"/api/v1/reviews/due?course={cards[0].course_id + 99}").json()["count"] == 0
    response = client.get("/api/v1/reviews/due?course=abc")
    assert response.status_code == 400
    assert "course" in response.json()["error"]["fields"]


def test_rating_a_card_schedules_it_and_the_stats_follow(
    learner: User, cards: list[ReviewCard], client_for: Callable[[User], APIClient]
) -> None:
    client = client_for(learner)
    with time_machine.travel(START + timedelta(minutes=1), tick=False):
        response = client.post(f"/api/v1/reviews/{cards[0].pk}", {"rating": 4}, format="json")
        assert response.status_code == 201
        assert response.json()["rating"] == "Easy"
        assert response.json()["card"]["state"] == "Review"
        response = client.post(
            f"/api/v1/reviews/{cards[1].pk}",
            {"is_correct": False, "duration_ms": 4000},
            format="json",
        )
        assert response.json()["rating"] == "Again"
        stats = client.get("/api/v1/reviews/stats").json()
    assert stats == {
        "due_now": 1,
        "due_today": 2,
        "total_cards": 3,
        "reviewed_today": 2,
        "retention": None,
        "desired_retention": 0.9,
    }


def test_a_double_submitted_review_is_refused_with_409_and_counts_once(
    learner: User, cards: list[ReviewCard], client_for: Callable[[User], APIClient]
) -> None:
    client = client_for(learner)
    url = f"/api/v1/reviews/{cards[0].pk}"
    with time_machine.travel(START + timedelta(minutes=1), tick=False):
        assert client.post(url, {"rating": 3}, format="json").status_code == 201
        response = client.post(url, {"rating": 3}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "card_not_due"
    assert ReviewLog.objects.count() == 1


@pytest.mark.parametrize(
    "payload",
    [{}, {"rating": 5}, {"rating": 3, "is_correct": True}, {"is_correct": True, "duration_ms": -1}],
)
def test_wrong_review_input_is_a_400_and_changes_nothing(
    learner: User, cards: list[ReviewCard], client_for: Callable[[User], APIClient], payload
) -> None:
    response = client_for(learner).post(f"/api/v1/reviews/{cards[0].pk}", payload, format="json")
    assert response.status_code == 400
    assert ReviewLog.objects.count() == 0


def test_another_learners_card_is_a_404(
    other_learner: User, cards: list[ReviewCard], client_for: Callable[[User], APIClient]
) -> None:
    response = client_for(other_learner).post(
        f"/api/v1/reviews/{cards[0].pk}", {"rating": 3}, format="json"
    )
    assert response.status_code == 404
    assert ReviewLog.objects.count() == 0


def test_preferences_read_defaults_and_update(
    learner: User, client_for: Callable[[User], APIClient]
) -> None:
    client = client_for(learner)
    assert client.get("/api/v1/learning/preferences").json() == {
        "mode": "relax",
        "desired_retention": 0.9,
        "study_interval_minutes": 25,
        "break_minutes": 5,
        "autoplay_countdown_seconds": 8,
    }
    assert not LearningPreference.objects.exists()  # reading wrote nothing
    response = client.patch(
        "/api/v1/learning/preferences", {"mode": "binge", "desired_retention": 0.95}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["mode"] == "binge"
    response = client.patch("/api/v1/learning/preferences", {"desired_retention": 2}, format="json")
    assert response.status_code == 400
    assert "desired_retention" in response.json()["error"]["fields"]
    assert LearningPreference.objects.get(learner=learner).desired_retention == 0.95


def test_course_mode_is_set_per_course(
    learner: User, course: Course, client_for: Callable[[User], APIClient]
) -> None:
    client = client_for(learner)
    url = f"/api/v1/learning/courses/{course.pk}/mode"
    assert client.put(url, {"mode": "challenge"}, format="json").json()["mode"] == "challenge"
    assert client.get(url).json() == {"course_id": course.pk, "mode": "challenge"}
    assert client.put(url, {"mode": None}, format="json").json()["mode"] == "relax"
    assert client.put(url, {"mode": "turbo"}, format="json").status_code == 400
    assert client.get("/api/v1/learning/courses/999999/mode").status_code == 404


def test_heartbeats_offer_a_break_in_relax_mode(
    learner: User, client_for: Callable[[User], APIClient]
) -> None:
    services.preference_update(
        learner=learner, data={"mode": Mode.RELAX, "study_interval_minutes": 5}
    )
    client = client_for(learner)
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(11):
            state = client.post("/api/v1/learning/heartbeat").json()
            clock.shift(timedelta(seconds=30))
        assert state["active_seconds"] == 300
        assert state["is_break_due"] is True
        state = client.post("/api/v1/learning/break").json()
        assert (state["is_on_break"], state["is_break_due"]) == (True, False)
        state = client.delete("/api/v1/learning/break").json()
    assert (state["is_on_break"], state["active_seconds"]) == (False, 0)


def test_next_lesson_for_binge(
    learner: User, course: Course, client_for: Callable[[User], APIClient]
) -> None:
    lesson = course.modules.get(order=1).lessons.get(order=2)
    body = client_for(learner).get(f"/api/v1/learning/lessons/{lesson.pk}/next").json()
    assert body["next_lesson_title"] == "Lesson 2.1"
    assert body["is_module_end"] is True
    assert body["countdown_seconds"] == 8


def test_quiz_without_revealed_answers_makes_no_cards(
    enrolled: User, quiz: Quiz, django_capture_on_commit_callbacks
) -> None:
    quiz.reveals_answers = False
    quiz.save()
    with django_capture_on_commit_callbacks(execute=True):
        answer_quiz(enrolled, quiz)
    assert not ReviewCard.objects.exists()
