"""Courses' part of a user's data export and of account deletion (settings.USER_DATA_EXPORTERS /
USER_DATA_ERASERS, called by accounts.privacy without importing this app)."""

from __future__ import annotations

from typing import Any

from courses.models import (
    Certificate,
    Course,
    CourseReview,
    Enrollment,
    LessonProgress,
    QuizAttempt,
)


def user_data_export(*, user_id: int) -> dict[str, Any]:
    """Enrolments, lesson progress, quiz attempts, reviews, certificates and courses taught."""
    return {
        "enrollments": list(
            Enrollment.objects.filter(learner_id=user_id)
            .order_by("enrolled_at", "id")
            .values(
                "course_id",
                "course__title",
                "enrolled_at",
                "completed_at",
                "last_lesson_id",
                "last_activity_at",
            )
        ),
        "lesson_progress": list(
            LessonProgress.objects.filter(learner_id=user_id)
            .order_by("started_at", "id")
            .values(
                "lesson_id",
                "lesson__title",
                "started_at",
                "completed_at",
                "seconds_spent",
                "last_position_seconds",
            )
        ),
        "quiz_attempts": list(
            QuizAttempt.objects.filter(learner_id=user_id)
            .order_by("started_at", "id")
            .values(
                "quiz_id",
                "number",
                "started_at",
                "submitted_at",
                "answers",
                "results",
                "score",
                "max_score",
                "percent",
                "passed",
            )
        ),
        "course_reviews": list(
            CourseReview.objects.filter(learner_id=user_id)
            .order_by("created_at", "id")
            .values("course_id", "rating", "comment", "created_at", "updated_at")
        ),
        "certificates": list(
            Certificate.objects.filter(learner_id=user_id)
            .order_by("issued_at", "id")
            .values("public_id", "course_id", "course_title", "learner_name", "issued_at")
        ),
        "courses_taught": list(
            Course.objects.filter(instructors__id=user_id).order_by("id").values("id", "title")
        ),
    }


def user_data_erase(*, user_id: int) -> None:
    """Certificates (public pages naming the learner) and review comments go; ratings stay so
    course averages hold; enrolments, progress and attempts stay with the anonymised account so
    instructors' completion figures stay true; the user stops being listed as an instructor."""
    Certificate.objects.filter(learner_id=user_id).delete()
    CourseReview.objects.filter(learner_id=user_id).exclude(comment="").update(comment="")
    Course.instructors.through.objects.filter(user_id=user_id).delete()
