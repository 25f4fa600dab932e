"""Per-learner FSRS parameters, fitted from their own review log by the `fsrs` package's
Optimizer (a Celery job).

The Optimizer needs torch and pandas: they are the optional extra in requirements-optimizer.txt.
Without it nothing is fitted (the job says so and the learner keeps FSRS's default parameters);
nothing is ever estimated another way.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

import fsrs
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from learning.models import LearningPreference, ReviewLog
from learning.services import preference_get

logger = logging.getLogger(__name__)

# The optimizer fits nothing from fewer than 512 reviews made on a later day than the card's
# previous one (its mini-batch size): below that it hands back the default parameters.
MIN_REVIEWS_FOR_OPTIMIZATION = 512
# Re-fit once the log has grown by a quarter since the last fit.
REFIT_GROWTH = 1.25


@dataclass(frozen=True)
class OptimizationResult:
    status: str  # fitted | not_enough_reviews | optimizer_not_installed
    reviews: int
    parameters: list[float] = field(default_factory=list)


def optimizer_is_installed() -> bool:
    """Is the optional optimizer extra (torch and pandas) installed?"""
    try:
        import pandas  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def _fsrs_logs(user: Any) -> list[fsrs.ReviewLog]:
    return [
        fsrs.ReviewLog(
            card_id=card_id,
            rating=fsrs.Rating(rating),
            review_datetime=reviewed_at.astimezone(dt.UTC),
            review_duration=duration_ms,
        )
        for card_id, rating, reviewed_at, duration_ms in ReviewLog.objects.filter(
            card__learner=user
        )
        .order_by("reviewed_at", "id")
        .values_list("card_id", "rating", "reviewed_at", "duration_ms")
    ]


def fsrs_parameters_optimize(*, user: Any) -> OptimizationResult:
    """Fit the learner's FSRS parameters to every review they have made (quiz, challenge,
    practice and review-session ratings) and use them for their future reviews; the desired
    retention stays theirs. Cards already scheduled keep their due dates until next reviewed."""
    logs = _fsrs_logs(user)
    if len(logs) < MIN_REVIEWS_FOR_OPTIMIZATION:
        return OptimizationResult(status="not_enough_reviews", reviews=len(logs))
    if not optimizer_is_installed():
        logger.warning(
            "FSRS optimizer not installed (requirements-optimizer.txt); user %s keeps the "
            "default parameters",
            user.pk,
        )
        return OptimizationResult(status="optimizer_not_installed", reviews=len(logs))
    try:
        parameters = [float(p) for p in fsrs.Optimizer(logs).compute_optimal_parameters()]
    except ImportError:  # the library's own stand-in when its extra is missing
        return OptimizationResult(status="optimizer_not_installed", reviews=len(logs))
    if parameters == [float(p) for p in fsrs.scheduler.DEFAULT_PARAMETERS]:
        # Too few reviews on distinct days for the optimizer to learn from.
        return OptimizationResult(status="not_enough_reviews", reviews=len(logs))
    _parameters_save(user=user, parameters=parameters, reviews=len(logs))
    return OptimizationResult(status="fitted", reviews=len(logs), parameters=parameters)


@transaction.atomic
def _parameters_save(*, user: Any, parameters: list[float], reviews: int) -> None:
    preference_get(user=user)
    preference = LearningPreference.objects.select_for_update().get(user=user)
    preference.fsrs_parameters = parameters
    preference.fsrs_optimized_at = timezone.now()
    preference.fsrs_optimized_reviews = reviews
    preference.save(
        update_fields=["fsrs_parameters", "fsrs_optimized_at", "fsrs_optimized_reviews"]
    )


def learners_due_for_optimization() -> list[int]:
    """Learners with enough reviews who were never fitted, or whose log has grown by a quarter
    since their last fit. One query."""
    rows = (
        ReviewLog.objects.values("card__learner_id")
        .annotate(reviews=Count("id"))
        .filter(reviews__gte=MIN_REVIEWS_FOR_OPTIMIZATION)
        .annotate(
            fitted_on=F("card__learner__learning_preference__fsrs_optimized_reviews"),
        )
        .filter(
            Q(fitted_on__isnull=True)
            | Q(fitted_on=0)
            | Q(reviews__gte=F("fitted_on") * REFIT_GROWTH)
        )
        .order_by("card__learner_id")
    )
    return [row["card__learner_id"] for row in rows]
