"""Reputation writes: grants (with the daily cap), reversals, and undoing a removed rater."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Q

from accounts.models import User
from qa import reputation as rules
from qa import selectors
from qa.models import Answer, ReputationEvent, StarRating, UserReputation, XpAward
from qa.services._common import utc_today
from qa.services.counters import question_counts_add

CAPPED_KINDS = frozenset({ReputationEvent.Kind.XP_AWARD, ReputationEvent.Kind.STARS})


def _lock_reputation(user_id: int) -> UserReputation:
    UserReputation.objects.get_or_create(user_id=user_id)
    return UserReputation.objects.select_for_update().get(user_id=user_id)


@transaction.atomic
def reputation_grant(
    *,
    user: Any,
    kind: str,
    points: int,
    actor: Any = None,
    answer: Answer | None = None,
    star_rating: StarRating | None = None,
    xp_award: XpAward | None = None,
    note: str = "",
) -> ReputationEvent:
    """Record a reputation change; gains from XP awards and stars stop at the daily cap."""
    _lock_reputation(user.pk)  # serialises grants per user, so the cap cannot be overshot
    day = utc_today()
    capped = kind in CAPPED_KINDS
    granted = points
    if capped and points > 0:
        used = selectors.reputation_today(user=user, day=day)
        granted = max(0, min(points, rules.DAILY_CAP - used))
        if granted < points:
            note = note or f"daily cap of {rules.DAILY_CAP} reached"
    event = ReputationEvent.objects.create(
        user_id=user.pk,
        kind=kind,
        points=granted,
        points_before_cap=points,
        counts_toward_cap=capped,
        day=day,
        actor=actor,
        answer=answer,
        star_rating=star_rating,
        xp_award=xp_award,
        note=note[:200],
    )
    if granted:
        UserReputation.objects.filter(user_id=user.pk).update(points=F("points") + granted)
    return event


@transaction.atomic
def reputation_event_reverse(*, event: ReputationEvent, note: str) -> ReputationEvent | None:
    """Undo an event once: a reversal with the opposite points (None if already reversed)."""
    _lock_reputation(event.user_id)
    event = ReputationEvent.objects.select_for_update().get(pk=event.pk)
    if event.is_reversed or event.kind == ReputationEvent.Kind.REVERSAL:
        return None
    event.is_reversed = True
    event.save(update_fields=["is_reversed"])
    reversal = ReputationEvent.objects.create(
        user_id=event.user_id,
        kind=ReputationEvent.Kind.REVERSAL,
        points=-event.points,
        points_before_cap=-event.points,
        counts_toward_cap=event.counts_toward_cap,
        day=utc_today(),
        actor_id=event.actor_id,
        answer_id=event.answer_id,
        reverses=event,
        note=note[:200],
    )
    if event.points:
        UserReputation.objects.filter(user_id=event.user_id).update(
            points=F("points") - event.points
        )
    return reversal


def reverse_live_events(events: Any, *, note: str) -> int:
    """Reverse every live event of a queryset; returns how many were reversed."""
    reversed_count = 0
    for event in events.filter(is_reversed=False).exclude(kind=ReputationEvent.Kind.REVERSAL):
        if reputation_event_reverse(event=event, note=note) is not None:
            reversed_count += 1
    return reversed_count


def answer_star_totals_refresh(*, answer_id: int) -> Answer:
    """Recount an answer's stars from its ratings (the caller holds, or takes, its row lock)."""
    from django.db.models import Count, Sum

    answer = Answer.objects.select_for_update().get(pk=answer_id)
    totals = StarRating.objects.filter(answer_id=answer_id).aggregate(
        count=Count("pk"), total=Sum("stars")
    )
    counted = totals["count"] or 0
    if not answer.is_hidden:  # the question's rating count holds its visible answers' ratings
        question_counts_add(question_id=answer.question_id, ratings=counted - answer.star_count)
    answer.star_count = counted
    answer.star_total = totals["total"] or 0
    answer.save(update_fields=["star_count", "star_total"])
    return answer


@transaction.atomic
def rater_contributions_reverse(*, rater: User) -> int:
    """A removed rater's ratings stop counting: their reputation grants are reversed and their
    star ratings withdrawn (answers recounted). Returns the number of events reversed."""
    reversed_count = reverse_live_events(
        ReputationEvent.objects.filter(
            Q(actor_id=rater.pk),
            kind__in=[ReputationEvent.Kind.STARS, ReputationEvent.Kind.XP_AWARD],
        ).order_by("pk"),
        note="the rater's account was removed",
    )
    answer_ids = list(
        StarRating.objects.filter(rater_id=rater.pk).values_list("answer_id", flat=True)
    )
    for answer_id in sorted(answer_ids):  # a fixed order, so two sweeps cannot deadlock
        Answer.objects.select_for_update().filter(pk=answer_id).first()
        StarRating.objects.filter(rater_id=rater.pk, answer_id=answer_id).delete()
        answer_star_totals_refresh(answer_id=answer_id)
    return reversed_count
