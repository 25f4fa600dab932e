"""Test helpers: answer a quiz through the courses services, as the player does."""

from __future__ import annotations

from accounts.models import User
from courses.models import Choice, Quiz, QuizAttempt
from courses.services import quiz_attempt_start, quiz_attempt_submit


def answer_quiz(learner: User, quiz: Quiz, *, wrong: int = 0) -> QuizAttempt:
    """Submit an attempt answering the first `wrong` drawn questions wrongly, the rest right."""
    attempt, _ = quiz_attempt_start(learner=learner, quiz=quiz)
    answers = {}
    for position, question_id in enumerate(attempt.question_ids):
        choice = Choice.objects.get(question_id=question_id, is_correct=position >= wrong)
        answers[str(question_id)] = choice.pk
    return quiz_attempt_submit(learner=learner, attempt=attempt, answers=answers)
