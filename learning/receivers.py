"""Quiz and AI practice answers become review cards, completed lessons extend a binge run and
the active time the player reports counts toward relax mode's break: subscribe to the core's
events and to ai_tools' `practice_set_submitted`."""

from __future__ import annotations

from typing import Any

from ai_tools import events as ai_events
from courses import events as course_events


def on_quiz_attempt_submitted(sender: Any, attempt: Any, **_: Any) -> None:
    from learning import services

    services.cards_from_attempt(attempt=attempt)


def on_lesson_completed(sender: Any, progress: Any, learner: Any, lesson: Any, **_: Any) -> None:
    from learning.services import binge

    binge.binge_lesson_done(
        learner=learner, course_id=lesson.module.course_id, at=progress.completed_at
    )


def on_lesson_time_spent(
    sender: Any, learner: Any, lesson: Any, seconds: int, at: Any, **_: Any
) -> None:
    """Active time the player reported counts toward relax mode's break."""
    from learning import services

    services.relax_time_add(user=learner, course_id=lesson.module.course_id, seconds=seconds, at=at)


def on_practice_set_submitted(sender: Any, practice_set: Any, learner: Any, **_: Any) -> None:
    """Translate an ai_tools practice set into the answers learning keeps as cards."""
    from ai_tools.services import normalize_answer
    from learning.services import practice

    source = practice_set.lesson.module if practice_set.lesson_id else practice_set.module
    given = practice_set.answers or {}
    answers = [
        practice.PracticeAnswer(
            stem=str(question.get("stem", "")),
            answer=str(question.get("answer", "")),
            explanation=str(question.get("explanation", "")),
            choices=[str(choice) for choice in question.get("choices") or []],
            is_correct=bool(given.get(str(question.get("number"))))
            and normalize_answer(str(given.get(str(question.get("number")), "")))
            == normalize_answer(str(question.get("answer", ""))),
        )
        for question in practice_set.questions or []
    ]
    practice.cards_from_practice(
        learner=learner,
        course_id=source.course_id,
        practice_set_id=practice_set.pk,
        answers=answers,
        at=practice_set.submitted_at,
    )


def connect() -> None:
    ai_events.practice_set_submitted.connect(
        on_practice_set_submitted, dispatch_uid="learning_cards_from_practice"
    )
    course_events.lesson_completed.connect(
        on_lesson_completed, dispatch_uid="learning_binge_lesson_done"
    )
    course_events.lesson_time_spent.connect(
        on_lesson_time_spent, dispatch_uid="learning_relax_time_spent"
    )
    course_events.quiz_attempt_submitted.connect(
        on_quiz_attempt_submitted, dispatch_uid="learning_cards_from_attempt"
    )
