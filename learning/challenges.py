"""Challenge mode: timed runs over a course's or a category's questions, scored on correctness and
speed, with a leaderboard per challenge. The server's clock is the only clock."""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from accounts.models import User
from courses.models import Category, Course, Enrollment, Question
from courses.services import grade_question
from learning import events
from learning.exceptions import (
    ChallengeClosedError,
    ChallengeRunNotFoundError,
    ChallengeUnavailableError,
)
from learning.models import ChallengeRun

QUESTION_COUNT = 10
SECONDS_PER_QUESTION = 30
POINTS_PER_CORRECT = 100
# A right answer earns up to this many extra points, in proportion to the time left.
SPEED_BONUS_PER_CORRECT = 50


def _questions_for(learner: User, *, course: Course | None, category: Category | None) -> list[int]:
    courses = Enrollment.objects.filter(
        learner=learner, course__status=Course.Status.PUBLISHED
    ).values("course_id")
    questions = Question.objects.filter(
        quiz__lesson__module__course_id__in=courses,
        quiz__reveals_answers=True,  # never sample questions whose answers are kept hidden
        kind__in=Question.CHOICE_KINDS,
    )
    if course is not None:
        questions = questions.filter(quiz__lesson__module__course=course)
    if category is not None:
        questions = questions.filter(quiz__lesson__module__course__category=category)
    ids = list(questions.values_list("pk", flat=True))
    return random.sample(ids, min(QUESTION_COUNT, len(ids)))  # not security: a quiz draw


def challenge_scope(*, course: Course | None = None, category: Category | None = None) -> str:
    """The key of a challenge's leaderboard."""
    if course is not None:
        return f"course:{course.pk}"
    if category is not None:
        return f"category:{category.pk}"
    raise ChallengeUnavailableError("Choose a course or a category for the challenge.")


def _expire_if_over(run: ChallengeRun) -> bool:
    if run.submitted_at is None and not run.is_expired and timezone.now() > run.deadline:
        run.is_expired = True
        run.save(update_fields=["is_expired"])
    return run.is_expired


@transaction.atomic
def challenge_run_start(
    *, learner: User, course: Course | None = None, category: Category | None = None
) -> tuple[ChallengeRun, bool]:
    """Start a run (or return the one still running, and False: a reload keeps the clock)."""
    if (course is None) == (category is None):
        raise ChallengeUnavailableError("Choose a course or a category for the challenge.")
    scope = challenge_scope(course=course, category=category)
    User.objects.select_for_update().filter(pk=learner.pk).first()
    running = ChallengeRun.objects.filter(
        learner=learner, scope=scope, submitted_at__isnull=True, is_expired=False
    ).first()
    if running is not None and not _expire_if_over(running):
        return running, False
    question_ids = _questions_for(learner, course=course, category=category)
    if not question_ids:
        raise ChallengeUnavailableError(
            "There are no questions to challenge you on here yet: enroll in a course with quizzes."
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            run = ChallengeRun.objects.create(
                learner=learner,
                scope=scope,
                question_ids=question_ids,
                started_at=now,
                deadline=now + timedelta(seconds=SECONDS_PER_QUESTION * len(question_ids)),
            )
    except IntegrityError:  # a racing twin started it first
        run = ChallengeRun.objects.get(
            learner=learner, scope=scope, submitted_at__isnull=True, is_expired=False
        )
        return run, False
    return run, True


def challenge_score(*, correct_count: int, seconds_left: float, seconds_total: float) -> int:
    """Correctness first, then speed: each right answer is worth 100 points plus up to 50 for
    the share of the time left."""
    share_left = max(0.0, min(1.0, seconds_left / seconds_total)) if seconds_total else 0.0
    return correct_count * POINTS_PER_CORRECT + round(
        correct_count * SPEED_BONUS_PER_CORRECT * share_left
    )


@transaction.atomic
def challenge_run_submit(*, learner: User, run_id: int, answers: dict[str, Any]) -> ChallengeRun:
    """Grade a run's answers. Refused after the deadline by the server's clock (whatever the
    client's), and refused a second time: a run is scored once."""
    run = ChallengeRun.objects.select_for_update().filter(learner=learner, pk=run_id).first()
    if run is None:
        raise ChallengeRunNotFoundError("No such challenge run.")
    if run.submitted_at is not None:
        raise ChallengeClosedError("This challenge was already submitted.")
    now = timezone.now()
    if run.is_expired or now > run.deadline:
        raise ChallengeClosedError(
            "Time is up: answers after the deadline do not count.",
            extra={"deadline": run.deadline.isoformat()},
        )
    if not isinstance(answers, dict) or set(answers) - {str(pk) for pk in run.question_ids}:
        raise ChallengeUnavailableError("Answer only the questions of this challenge, by id.")
    questions = Question.objects.filter(pk__in=run.question_ids).prefetch_related("choices")
    correct = sum(
        1
        for question in questions
        if grade_question(question, answers.get(str(question.pk)), Decimal(0)) == question.points
    )
    run.answers = answers
    run.correct_count = correct
    run.submitted_at = now
    run.score = challenge_score(
        correct_count=correct,
        seconds_left=(run.deadline - now).total_seconds(),
        seconds_total=(run.deadline - run.started_at).total_seconds(),
    )
    run.save(update_fields=["answers", "correct_count", "submitted_at", "score"])
    transaction.on_commit(
        functools.partial(
            events.challenge_completed.send,
            sender=ChallengeRun,
            run=run,
            learner=learner,
            score=run.score,
            correct_count=correct,
        )
    )
    return run


@dataclass(frozen=True)
class LeaderboardRow:
    rank: int
    learner_id: int
    name: str
    best_score: int


def challenge_leaderboard(*, scope: str, limit: int = 20) -> list[LeaderboardRow]:
    """Each learner's best score on the challenge, highest first (ties share a rank)."""
    best: QuerySet[Any] = (
        ChallengeRun.objects.filter(scope=scope, score__isnull=False)
        .values("learner_id", "learner__display_name")
        .annotate(best_score=Max("score"))
        .order_by("-best_score", "learner_id")[:limit]
    )
    rows: list[LeaderboardRow] = []
    previous: int | None = None
    rank = 0
    for position, row in enumerate(best, start=1):
        if row["best_score"] != previous:
            rank, previous = position, row["best_score"]
        rows.append(
            LeaderboardRow(
                rank=rank,
                learner_id=row["learner_id"],
                # Never the email on a public board: a learner without a name is a number.
                name=row["learner__display_name"] or f"Learner {row['learner_id']}",
                best_score=row["best_score"],
            )
        )
    return rows
