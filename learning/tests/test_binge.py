"""Binge mode: lessons in a row, and the "one more lesson" prompt at the end of a module."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from accounts.models import User
from courses import services as course_services
from courses.tests.factories import EnrollmentFactory, course_with_outline
from learning import services
from learning.models import LearningPreference

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def _lessons(course: Any) -> list[Any]:
    return [
        lesson
        for module in course.modules.order_by("order")
        for lesson in module.lessons.order_by("order")
    ]


def _complete(student: User, lesson: Any, at: dt.datetime, capture: Any) -> None:
    with time_machine.travel(at, tick=False), capture(execute=True):
        course_services.lesson_complete(learner=student, lesson=lesson)


def test_lessons_completed_in_binge_mode_count_in_a_row_until_a_long_pause(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    course = course_with_outline(modules=2, lessons_per_module=3)
    EnrollmentFactory(learner=student, course=course)
    services.preference_update(user=student, mode="binge")
    lessons = _lessons(course)

    for minute, lesson in enumerate(lessons[:3]):
        _complete(
            student,
            lesson,
            NOON + dt.timedelta(minutes=10 * minute),
            django_capture_on_commit_callbacks,
        )
    assert LearningPreference.objects.get(user=student).binge_run_count == 3

    # 20 minutes after the last one: still the same session.
    _complete(
        student, lessons[3], NOON + dt.timedelta(minutes=40), django_capture_on_commit_callbacks
    )
    assert LearningPreference.objects.get(user=student).binge_run_count == 4
    # A pause of more than 30 minutes: a new run begins.
    _complete(
        student, lessons[4], NOON + dt.timedelta(minutes=71), django_capture_on_commit_callbacks
    )
    assert LearningPreference.objects.get(user=student).binge_run_count == 1


def test_lessons_completed_in_another_mode_do_not_count(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    course = course_with_outline(modules=1, lessons_per_module=2)
    EnrollmentFactory(learner=student, course=course)
    services.preference_update(user=student, mode="binge")
    services.course_mode_set(user=student, course=course, mode="relax")

    _complete(student, _lessons(course)[0], NOON, django_capture_on_commit_callbacks)

    assert LearningPreference.objects.get(user=student).binge_run_count == 0


def test_opening_the_player_saves_no_preferences_for_a_learner_who_never_chose(
    student: User,
) -> None:
    course = course_with_outline(modules=1, lessons_per_module=2)
    EnrollmentFactory(learner=student, course=course)
    lesson = _lessons(course)[0]
    client = Client()
    client.force_login(student)

    page = client.get(f"/learn/{course.slug}/{lesson.pk}/").content.decode()

    assert 'data-mode="standard"' in page
    assert not LearningPreference.objects.filter(user=student).exists()


def test_the_player_shows_the_run_and_asks_for_one_more_lesson_at_the_end_of_a_module(
    student: User, django_capture_on_commit_callbacks: Any
) -> None:
    course = course_with_outline(modules=2, lessons_per_module=2)
    EnrollmentFactory(learner=student, course=course)
    services.preference_update(user=student, mode="binge")
    first, last_of_module, first_of_next, _ = _lessons(course)
    client = Client()
    client.force_login(student)

    with time_machine.travel(NOON, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            course_services.lesson_complete(learner=student, lesson=first)
        middle = client.get(f"/learn/{course.slug}/{first.pk}/").content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            course_services.lesson_complete(learner=student, lesson=last_of_module)
        end = client.get(f"/learn/{course.slug}/{last_of_module.pk}/").content.decode()
    with time_machine.travel(NOON + dt.timedelta(hours=2), tick=False):
        later = client.get(f"/learn/{course.slug}/{last_of_module.pk}/").content.decode()

    # Inside a module: the run so far and a plain countdown, no prompt.
    assert "<strong>1</strong> lesson in a row" in middle
    assert "One more lesson?" not in middle
    assert ">Play next now</a>" in middle
    assert ">Cancel</button>" in middle
    # The module's last lesson: the prompt names the module, and the countdown goes on into the
    # next module unless the learner stops.
    assert "<strong>2</strong> lessons in a row" in end
    assert "<strong>You finished “Module 1”.</strong> One more lesson?" in end
    assert f"Next: {first_of_next.title} in" in end
    assert (
        f'href="/learn/{course.slug}/{first_of_next.pk}/" id="binge-go">One more lesson</a>' in end
    )
    assert ">Stop here</button>" in end
    # Two hours later the session is over: no run is shown.
    assert "in a row" not in later


def test_the_dashboard_switches_the_default_mode_and_describes_it(student: User) -> None:
    client = Client()
    client.force_login(student)

    before = client.get("/dashboard/").content.decode()
    response = client.post("/learning/mode/", {"mode": "relax", "next": "/dashboard/"})
    after = client.get(response["Location"]).content.decode()
    refused = client.post("/learning/mode/", {"mode": "turbo"})

    assert '<option value="standard" selected>Standard</option>' in before
    assert response["Location"] == "/dashboard/"
    assert '<option value="relax" selected>Relax</option>' in after
    assert "your streak stays out of sight" in after
    assert "Relax mode is on." in after
    assert refused.status_code == 302
    assert LearningPreference.objects.get(user=student).mode == "relax"
