"""What revision tells the skill-gap analysis (settings.SKILL_EVIDENCE_SOURCES).

ai_tools measures mastery per skill from answers to questions tagged with skills; a review of a
card made from a quiz or challenge question is such an answer too, so it counts. Quiz answers
already count in ai_tools from the attempts themselves: only reviews and challenge answers are
added here, never the log rows that merely mirror a quiz attempt.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from learning.models import ReviewLog


def review_outcomes(*, user: Any, course: Any = None) -> dict[int, list[bool]]:
    """For each quiz question the learner reviewed (or met in a challenge), whether each review
    was recalled (any rating but Again), oldest first. One query."""
    logs = ReviewLog.objects.filter(
        card__learner=user,
        card__question__isnull=False,
        source__in=[ReviewLog.Source.REVIEW, ReviewLog.Source.CHALLENGE],
    )
    if course is not None:
        logs = logs.filter(card__course=course)
    outcomes: dict[int, list[bool]] = defaultdict(list)
    for question_id, rating in logs.order_by("reviewed_at", "id").values_list(
        "card__question_id", "rating"
    ):
        outcomes[question_id].append(rating != ReviewLog.Rating.AGAIN)
    return dict(outcomes)
