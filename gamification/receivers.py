"""Translate the core's learning events into XP, streaks and achievements (through Celery)."""

from __future__ import annotations

from typing import Any

from courses import events as course_events
from gamification.rules import Action


def _schedule(*, user_id: int, action: str, key: str, course_id: int | None, at: Any) -> None:
    from gamification import tasks

    tasks.learning_rewarded.delay(
        user_id, action, key, course_id, at.isoformat() if at is not None else None
    )


def on_lesson_completed(sender: Any, progress: Any, learner: Any, lesson: Any, **_: Any) -> None:
    _schedule(
        user_id=learner.pk,
        action=Action.LESSON_COMPLETED,
        key=f"lesson:{lesson.pk}:{learner.pk}",
        course_id=lesson.module.course_id,
        at=getattr(progress, "completed_at", None),
    )


def on_quiz_passed(sender: Any, attempt: Any, learner: Any, quiz: Any, **_: Any) -> None:
    course_id = quiz.lesson.module.course_id
    # Passing a quiz mints XP once per quiz, however many attempts pass it.
    _schedule(
        user_id=learner.pk,
        action=Action.QUIZ_PASSED,
        key=f"quiz:{quiz.pk}:{learner.pk}",
        course_id=course_id,
        at=attempt.submitted_at,
    )
    if attempt.max_score and attempt.score == attempt.max_score:
        _schedule(
            user_id=learner.pk,
            action=Action.QUIZ_PERFECT,
            key=f"quiz-perfect:{quiz.pk}:{learner.pk}",
            course_id=course_id,
            at=attempt.submitted_at,
        )


def on_course_completed(sender: Any, enrollment: Any, **_: Any) -> None:
    _schedule(
        user_id=enrollment.learner_id,
        action=Action.COURSE_COMPLETED,
        key=f"course:{enrollment.course_id}:{enrollment.learner_id}",
        course_id=enrollment.course_id,
        at=enrollment.completed_at,
    )


def connect() -> None:
    course_events.lesson_completed.connect(on_lesson_completed, dispatch_uid="gamif_lesson")
    course_events.quiz_passed.connect(on_quiz_passed, dispatch_uid="gamif_quiz_passed")
    course_events.course_completed.connect(on_course_completed, dispatch_uid="gamif_course")
