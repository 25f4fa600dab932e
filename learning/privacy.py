"""Learning's part of a user's data export and of account deletion (settings
USER_DATA_EXPORTERS / USER_DATA_ERASERS, called by accounts.privacy without importing this app).
"""

from __future__ import annotations

from typing import Any

from learning.models import (
    ChallengeRun,
    CourseModePreference,
    LearningPreference,
    ReviewCard,
    ReviewLog,
)


def user_data_export(*, user_id: int) -> dict[str, Any]:
    """Preferences, revision cards and their review history, and challenge runs."""
    return {
        "preference": LearningPreference.objects.filter(user_id=user_id)
        .values(
            "mode",
            "desired_retention",
            "relax_interval_minutes",
            "binge_countdown_seconds",
            "fsrs_parameters",
            "fsrs_optimized_at",
        )
        .first(),
        "course_modes": list(
            CourseModePreference.objects.filter(user_id=user_id)
            .order_by("id")
            .values("course_id", "mode")
        ),
        "review_cards": list(
            ReviewCard.objects.filter(learner_id=user_id)
            .order_by("created_at", "id")
            .values("id", "course_id", "prompt", "answer_text", "state", "due", "reviews", "lapses")
        ),
        "reviews": list(
            ReviewLog.objects.filter(card__learner_id=user_id)
            .order_by("reviewed_at", "id")
            .values("card_id", "rating", "source", "reviewed_at", "duration_ms")
        ),
        "challenge_runs": list(
            ChallengeRun.objects.filter(learner_id=user_id)
            .order_by("started_at", "id")
            .values(
                "course_id", "category_id", "started_at", "submitted_at", "correct_count", "score"
            )
        ),
    }


def user_data_erase(*, user_id: int) -> None:
    """Revision cards (with their reviews) and preferences go; challenge runs stay with the
    anonymised account, so the challenge boards others stand on do not shift."""
    ReviewCard.objects.filter(learner_id=user_id).delete()
    CourseModePreference.objects.filter(user_id=user_id).delete()
    LearningPreference.objects.filter(user_id=user_id).delete()
