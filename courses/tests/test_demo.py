"""The demo catalog that `seed_demo` adds for `make run`."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from courses.models import Certificate, Course, Enrollment, Lesson, LessonProgress, QuizAttempt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def test_seed_demo_builds_a_catalog_with_the_students_learning_and_is_idempotent() -> None:
    call_command("seed_demo", stdout=StringIO())
    counts = (
        Course.objects.count(),
        Lesson.objects.count(),
        Enrollment.objects.count(),
        LessonProgress.objects.count(),
        QuizAttempt.objects.count(),
        Certificate.objects.count(),
    )
    output = StringIO()
    call_command("seed_demo", stdout=output)

    assert Course.objects.filter(status=Course.Status.PUBLISHED).count() == 6
    assert set(Course.objects.values_list("category__name", flat=True)) == {
        "Python",
        "JavaScript",
        "DevOps",
        "AI and machine learning",
        "Data",
        "Design",
    }
    assert set(Lesson.objects.values_list("kind", flat=True)) == {"video", "article", "quiz"}
    student = User.objects.get(email="student@lumen.localhost")
    assert Enrollment.objects.filter(learner=student).count() == 3
    assert Certificate.objects.filter(learner=student).count() == 1
    javascript = Enrollment.objects.get(learner=student, course__slug="modern-javascript")
    assert (
        LessonProgress.objects.get(
            learner=student, lesson=javascript.last_lesson
        ).last_position_seconds
        == 25
    )
    assert "demo courses: 0 created, 6 kept" in output.getvalue()
    assert counts == (
        Course.objects.count(),
        Lesson.objects.count(),
        Enrollment.objects.count(),
        LessonProgress.objects.count(),
        QuizAttempt.objects.count(),
        Certificate.objects.count(),
    )


def test_demo_video_lesson_plays_with_captions_and_resumes() -> None:
    call_command("seed_demo", stdout=StringIO())
    student = User.objects.get(email="student@lumen.localhost")
    enrollment = Enrollment.objects.get(learner=student, course__slug="modern-javascript")
    client = Client()
    client.force_login(student)

    response = client.get(f"/learn/modern-javascript/{enrollment.last_lesson_id}/")

    content = response.content.decode()
    assert response.status_code == 200
    assert 'src="/media/demo/sample-lesson.webm"' in content
    assert 'src="/media/demo/sample-lesson.en.vtt" srclang="en" label="English" default' in content
    assert 'data-resume-seconds="25"' in content
