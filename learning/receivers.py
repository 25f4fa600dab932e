"""Quiz answers become review cards, and completed lessons extend a binge run: subscribe to
the core's events."""

from __future__ import annotations

from typing import Any

from courses import events as course_events


def on_quiz_attempt_submitted(sender: Any, attempt: Any, **_: Any) -> None:
    from learning import services

    services.cards_from_attempt(attempt=attempt)


def on_lesson_completed(sender: Any, progress: Any, learner: Any, lesson: Any, **_: Any) -> None:
    from learning.services import binge

    binge.binge_lesson_done(
        learner=learner, course_id=lesson.module.course_id, at=progress.completed_at
    )


def connect() -> None:
    course_events.lesson_completed.connect(
        on_lesson_completed, dispatch_uid="learning_binge_lesson_done"
    )
    course_events.quiz_attempt_submitted.connect(
        on_quiz_attempt_submitted, dispatch_uid="learning_cards_from_attempt"
    )
