"""Celery adapters: load by id, call a service (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task
from django.db.models import Exists, OuterRef, Q

from accounts.models import User
from qa import services
from qa.models import ReputationEvent, StarRating


@shared_task(name="qa.question_experts_notify", ignore_result=True)
def question_experts_notify(question_id: int, expert_ids: list[int]) -> int:
    """Email a new question to its category's experts."""
    return services.experts_notify(question_id=question_id, expert_ids=expert_ids)


@shared_task(name="qa.digests_send", ignore_result=True)
def digests_send(frequency: str) -> int:
    """Send the daily or weekly digests (beat runs it each morning and each Monday)."""
    return services.digests_send(frequency=frequency)


@shared_task(name="qa.deactivated_rater_reverse", ignore_result=True)
def deactivated_rater_reverse(user_id: int) -> int:
    """Reverse a just-deactivated account's ratings (nothing if it was reactivated since)."""
    rater = User.objects.filter(pk=user_id, is_active=False).first()
    if rater is None:
        return 0
    return services.rater_contributions_reverse(rater=rater)


@shared_task(name="qa.removed_raters_reverse", ignore_result=True)
def removed_raters_reverse() -> int:
    """Reverse the ratings of deactivated accounts that still count (beat runs it hourly)."""
    live_events = ReputationEvent.objects.filter(
        actor=OuterRef("pk"),
        is_reversed=False,
        kind__in=[ReputationEvent.Kind.STARS, ReputationEvent.Kind.XP_AWARD],
    )
    ratings = StarRating.objects.filter(rater=OuterRef("pk"))
    raters = User.objects.filter(is_active=False).filter(
        Q(Exists(live_events)) | Q(Exists(ratings))
    )
    reversed_count = 0
    for rater in raters.iterator():
        reversed_count += services.rater_contributions_reverse(rater=rater)
    return reversed_count


@shared_task(name="qa.bounties_settle", ignore_result=True)
def bounties_settle() -> int:
    """Refund the bounties whose window ended unawarded (beat runs it hourly)."""
    return services.bounties_settle()
