"""The demo courses seed_demo creates for `make run`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from courses.models import Course, Enrollment, Lesson, LessonProgress

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_six_published_courses_once_with_the_students_progress(
    tmp_path: Path,
) -> None:
    with override_settings(MEDIA_ROOT=tmp_path):
        call_command("seed_demo", stdout=io.StringIO())
        call_command("seed_demo", stdout=io.StringIO())

        published = Course.objects.filter(status=Course.Status.PUBLISHED)
        assert published.count() == 6
        assert set(published.values_list("category__name", flat=True)) == {
            "Python", "JavaScript", "DevOps", "AI/ML", "Data", "Design",
        }  # fmt: skip
        for course in published:
            assert Lesson.objects.filter(module__course=course, kind=Lesson.Kind.QUIZ).exists()
        video = Lesson.objects.get(kind=Lesson.Kind.VIDEO)
        assert video.video_file.name.endswith(".webm")
        assert video.captions.get().language == "en"
        assert video.transcript

        student_enrollments = Enrollment.objects.filter(learner__email="student@lumen.localhost")
        assert student_enrollments.count() == 2
        paused = LessonProgress.objects.get(lesson=video)
        assert (paused.last_position_seconds, paused.completed_at) == (24, None)

        client = Client()
        client.login(email="student@lumen.localhost", password="lumen-demo-2026")
        page = client.get(f"/learn/python-for-beginners/{video.pk}/").content.decode()
        assert 'data-resume-seconds="24"' in page
        assert 'kind="captions"' in page
