"""Level-up and badge toasts: the page action that earned them shows them, once, to its learner."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from accounts.models import User
from courses.models import Lesson
from courses.tests.factories import EnrollmentFactory, course_with_outline
from gamification import events, services
from gamification.achievements import BY_CODE
from gamification.celebrations import CelebrationMiddleware
from gamification.models import LearnerStats
from gamification.rules import Action
from notifications.models import Notification


@pytest.mark.django_db(transaction=True)  # on-commit work runs inside the request, as in production
def test_completing_a_lesson_shows_the_badge_and_level_up_toasts_on_the_next_page(
    student: User,
) -> None:
    course = course_with_outline(modules=1, lessons_per_module=2)
    EnrollmentFactory(learner=student, course=course)
    services.xp_award(
        user=student, action=Action.MANUAL_GRANT, idempotency_key="seed", amount=40
    )  # 40 XP: the lesson's 10 and the streak day's 5 reach level 2 (50 XP)
    lesson = Lesson.objects.filter(module__course=course).order_by("order").first()
    assert lesson is not None
    client = Client()
    client.force_login(student)

    response = client.post(f"/lessons/{lesson.pk}/complete/", follow=True)

    page = response.content.decode()
    region = page[page.index('<div id="celebrations"') :]
    region = region[: region.index("</div></div>") + 12]
    assert LearnerStats.objects.get(user=student).level == 2
    assert 'role="status" aria-live="polite"' in region
    assert 'data-celebration="level_up"' in region
    assert "Level 2! You are now a Newcomer." in region
    assert 'data-celebration="achievement"' in region
    assert "Badge unlocked: First steps" in region
    messages_region = page[page.index('<div id="messages"') :]
    assert "Badge unlocked" not in messages_region[: messages_region.index("</div>")]
    # The toast and the notification are one fact under one title (the page shows it once).
    titles = set(Notification.objects.filter(recipient=student).values_list("title", flat=True))
    assert {"Level 2! You are now a Newcomer.", "Badge unlocked: First steps"} <= titles

    again = client.get(f"/learn/{course.slug}/{lesson.pk}/").content.decode()
    assert "data-celebration" not in again  # shown once, not on every page after


def _request(user: User, *, htmx: bool = False, path: str = "/x/") -> HttpRequest:
    request = RequestFactory().post(path)
    request.user = user
    request.htmx = htmx  # type: ignore[attr-defined]
    return request


def _view_celebrating(*users: User) -> Any:
    def view(request: HttpRequest) -> HttpResponse:
        for user in users:
            events.level_reached.send(sender=None, user=user, level=3, title="Newcomer")
            events.achievement_unlocked.send(
                sender=None, user=user, achievement=BY_CODE["lessons-1"], user_achievement=None
            )
        response = HttpResponse("<p>swapped</p>")
        response["HX-Trigger"] = "lesson-saved"
        return response

    return view


@pytest.mark.django_db
def test_an_htmx_action_gets_its_toasts_in_the_hx_trigger_header(
    student: User, other_student: User
) -> None:
    middleware = CelebrationMiddleware(_view_celebrating(student, other_student))

    response = middleware(_request(student, htmx=True))

    triggers = json.loads(response["HX-Trigger"])
    assert triggers["lesson-saved"] is None  # the view's own trigger is kept
    items = triggers["lumen:celebrate"]["items"]
    assert [(item["kind"], item["title"]) for item in items] == [
        ("level_up", "Level 3! You are now a Newcomer."),
        ("achievement", "Badge unlocked: First steps"),
    ]  # only the requesting learner's, never another learner's


@pytest.mark.django_db
def test_api_calls_and_events_outside_a_request_celebrate_nothing(student: User) -> None:
    response = CelebrationMiddleware(_view_celebrating(student))(
        _request(student, htmx=True, path="/api/v1/gamification/xp")
    )
    assert response["HX-Trigger"] == "lesson-saved"
    # Outside a request (a Celery worker) the events are simply not collected.
    events.level_reached.send(sender=None, user=student, level=4, title="Newcomer")
