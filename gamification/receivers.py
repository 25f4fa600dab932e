"""Courses' domain events -> XP awards (through Celery). The events are sent on commit and once
per fact; the idempotency keys below make a repeat (a retake, a re-completion, a retried task)
mint nothing: a quiz pays once per learner, a lesson once, a course once."""

from __future__ import annotations

from typing import Any

from courses import events
from gamification import tasks


def _award(user_id: int, action: str, key: str, course_id: int | None, source: Any) -> None:
    meta = source._meta
    tasks.xp_award.delay(
        user_id, action, key, course_id, f"{meta.app_label}.{meta.model_name}", source.pk
    )


def on_lesson_completed(sender: Any, *, progress: Any, learner: Any, lesson: Any, **_: Any) -> None:
    _award(
        learner.pk,
        "lesson_completed",
        f"lesson_completed:{lesson.pk}:{learner.pk}",
        lesson.module.course_id,
        progress,
    )


def on_quiz_passed(sender: Any, *, attempt: Any, learner: Any, quiz: Any, **_: Any) -> None:
    course_id = quiz.lesson.module.course_id
    _award(learner.pk, "quiz_passed", f"quiz_passed:{quiz.pk}:{learner.pk}", course_id, attempt)
    if attempt.percent is not None and attempt.percent >= 100:
        _award(
            learner.pk, "quiz_perfect", f"quiz_perfect:{quiz.pk}:{learner.pk}", course_id, attempt
        )


def on_course_completed(sender: Any, *, enrollment: Any, **_: Any) -> None:
    _award(
        enrollment.learner_id,
        "course_completed",
        f"course_completed:{enrollment.course_id}:{enrollment.learner_id}",
        enrollment.course_id,
        enrollment,
    )


def connect() -> None:
    events.lesson_completed.connect(on_lesson_completed, dispatch_uid="gamification_lesson")
    events.quiz_passed.connect(on_quiz_passed, dispatch_uid="gamification_quiz_passed")
    events.course_completed.connect(on_course_completed, dispatch_uid="gamification_course")
