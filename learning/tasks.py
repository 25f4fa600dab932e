"""Celery adapters: load by id, call a service (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError

from learning.services import optimization

RETRY = {
    "acks_late": True,
    "autoretry_for": (OperationalError, ConnectionError),
    "retry_backoff": True,
    "max_retries": 3,
}


@shared_task(name="learning.fsrs_parameters_optimize", time_limit=1800, **RETRY)
def fsrs_parameters_optimize(user_id: int) -> str:
    """Fit one learner's FSRS parameters; returns what happened (fitted, not_enough_reviews,
    optimizer_not_installed)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return "no_such_user"
    return optimization.fsrs_parameters_optimize(user=user).status


@shared_task(name="learning.fsrs_optimize_due_learners")
def fsrs_optimize_due_learners() -> int:
    """Queue a fit for every learner whose review log is big enough and has grown."""
    if not optimization.optimizer_is_installed():
        return 0
    learner_ids = optimization.learners_due_for_optimization()
    for learner_id in learner_ids:
        fsrs_parameters_optimize.delay(learner_id)
    return len(learner_ids)
