"""AI practice questions a learner answered become their revision cards.

ai_tools knows nothing of this: it publishes `practice_set_submitted` and learning's receiver
translates the practice set into `PracticeAnswer`s for `cards_from_practice`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from learning.models import ReviewLog
from learning.services import card_rate_answer, preference_get, scheduler_for_learner


@dataclass(frozen=True)
class PracticeAnswer:
    """One answered practice question: what the card shows, and whether the learner got it."""

    stem: str
    answer: str
    is_correct: bool
    explanation: str = ""
    choices: list[str] = field(default_factory=list)

    @property
    def source_key(self) -> str:
        """The same question (stem and answer) met in two practice sets is one card."""
        digest = hashlib.sha256(f"{self.stem}\n{self.answer}".encode()).hexdigest()
        return f"ai-practice:{digest[:40]}"


def cards_from_practice(
    *,
    learner: Any,
    course_id: int,
    practice_set_id: int,
    answers: list[PracticeAnswer],
    at: dt.datetime,
) -> int:
    """Each answered practice question becomes (or updates) the learner's own card in the
    course, rated by the answer (right: Good, wrong or blank: Again); a practice set rates each
    card once, so a retake of the same set changes nothing. Returns how many cards were rated."""
    scheduler = scheduler_for_learner(preference_get(user=learner))
    rated = 0
    for item in answers:
        if not item.stem.strip() or not item.answer.strip():
            continue
        rated += card_rate_answer(
            learner_id=learner.pk,
            card_lookup={"source_key": item.source_key},
            card_defaults={
                "course_id": course_id,
                "prompt": item.stem[:5000],
                "answer_text": item.answer[:500],
                "explanation": item.explanation[:5000],
                "choice_texts": [str(choice)[:500] for choice in item.choices][:10],
            },
            is_correct=item.is_correct,
            at=at,
            scheduler=scheduler,
            source=ReviewLog.Source.PRACTICE,
            source_id=practice_set_id,
        )
    return rated
