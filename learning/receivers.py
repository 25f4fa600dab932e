"""Courses events translated into learning services: quiz questions become review cards, lesson
completions feed binge runs."""

from __future__ import annotations

from typing import Any

from courses import events
from learning import services


def on_quiz_attempt_submitted(sender: Any, *, attempt: Any, learner: Any, **_: Any) -> None:
    services.cards_from_quiz_attempt(attempt=attempt)


def on_lesson_completed(sender: Any, *, progress: Any, learner: Any, **_: Any) -> None:
    services.binge_lesson_record(learner=learner, completed_at=progress.completed_at)


def connect() -> None:
    events.quiz_attempt_submitted.connect(
        on_quiz_attempt_submitted, dispatch_uid="learning_cards_from_quiz"
    )
    events.lesson_completed.connect(on_lesson_completed, dispatch_uid="learning_binge_run")
