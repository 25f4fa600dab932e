"""Quiz answers become review cards: subscribe to the core's graded-attempt event."""

from __future__ import annotations

from typing import Any

from courses import events as course_events


def on_quiz_attempt_submitted(sender: Any, attempt: Any, **_: Any) -> None:
    from learning import services

    services.cards_from_attempt(attempt=attempt)


def connect() -> None:
    course_events.quiz_attempt_submitted.connect(
        on_quiz_attempt_submitted, dispatch_uid="learning_cards_from_attempt"
    )
