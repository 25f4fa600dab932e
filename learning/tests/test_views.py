from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.template import Context, Template
from django.test import Client, RequestFactory

from accounts.models import User
from courses.models import Course, Quiz
from learning import services
from learning.models import LearningPreference, Mode, ReviewCard, ReviewLog

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_review_page_needs_a_login(db: None) -> None:
    response = Client().get("/review/")
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_review_page_shows_one_due_card_with_keyboard_shortcuts_within_budget(
    learner: User, quiz: Quiz, django_assert_max_num_queries
) -> None:
    with time_machine.travel(START, tick=False):
        services.cards_ensure(learner=learner, questions=quiz.questions.all())
    first = ReviewCard.objects.order_by("pk").first()
    client = _client(learner)
    with (
        time_machine.travel(START + timedelta(minutes=1), tick=False),
        django_assert_max_num_queries(9),
    ):
        response = client.get("/review/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("data-review-card") == 1
    assert f'action="/review/{first.pk}/rate"' in html
    assert "Due now: <strong>3</strong>" in html
    for key in "1234":
        assert f'data-rating-key="{key}"' in html
    assert "<legend>How well did you remember? (keys 1 to 4)</legend>" in html
    assert "learning/review.js" in html


def test_rating_on_the_page_moves_to_the_next_card_and_a_repeat_is_refused(
    learner: User, quiz: Quiz
) -> None:
    with time_machine.travel(START, tick=False):
        services.cards_ensure(learner=learner, questions=quiz.questions.all())
    first = ReviewCard.objects.order_by("pk").first()
    client = _client(learner)
    with time_machine.travel(START + timedelta(minutes=1), tick=False):
        response = client.post(
            f"/review/{first.pk}/rate", {"rating": "3", "duration_ms": "5000"}, follow=True
        )
        assert "Due now: <strong>2</strong>" in response.content.decode()
        response = client.post(f"/review/{first.pk}/rate", {"rating": "3"}, follow=True)
    assert "already reviewed" in response.content.decode()
    assert ReviewLog.objects.get().duration_ms == 5000


def test_an_empty_review_page_says_when_to_come_back(learner: User) -> None:
    response = _client(learner).get("/review/")
    assert "Nothing is due." in response.content.decode()


def test_mode_page_saves_the_mode_and_refuses_bad_settings(learner: User) -> None:
    client = _client(learner)
    response = client.get("/learning/mode/")
    assert response.status_code == 200
    assert '<label for="id_mode_0">Revision</label>' in response.content.decode()
    data = {
        "mode": "binge",
        "desired_retention": "0.9",
        "study_interval_minutes": "25",
        "break_minutes": "5",
        "autoplay_countdown_seconds": "8",
        "next": "https://evil.example/",
    }
    response = client.post("/learning/mode/", data)
    assert response["Location"] == "/learning/mode/"
    assert LearningPreference.objects.get(learner=learner).mode == Mode.BINGE
    response = client.post(
        "/learning/mode/",
        {**data, "mode": "relax", "desired_retention": "3"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert response.content.decode().lstrip().startswith('<form method="post" id="mode-form"')
    assert LearningPreference.objects.get(learner=learner).mode == Mode.BINGE


def test_learning_panel_include_shows_the_same_due_count_as_the_api(
    learner: User, course: Course, quiz: Quiz, django_assert_max_num_queries
) -> None:
    services.cards_ensure(learner=learner, questions=quiz.questions.all())
    services.course_mode_set(learner=learner, course=course, mode=Mode.BINGE)
    request = RequestFactory().get("/courses/x/")
    request.user = learner
    lesson = course.modules.get(order=1).lessons.get(order=2)
    template = Template(
        "{% load learning %}{% learning_panel course=course lesson=lesson next_url='/n/' %}"
    )
    with django_assert_max_num_queries(5):
        html = template.render(Context({"request": request, "course": course, "lesson": lesson}))
    api_due = _client(learner).get("/api/v1/reviews/stats").json()["due_now"]
    assert f"<strong data-due-count>{api_due}</strong>" in html
    assert api_due == 3
    assert 'data-mode="binge"' in html
    assert 'data-is-module-end="true"' in html
    assert 'data-next-lesson-url="/n/"' in html
