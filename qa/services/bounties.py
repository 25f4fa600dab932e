"""Bounties: an asker from gamification's BOUNTY_LEVEL offers 10-100 of their own XP on their open
question; it goes to the author of the answer they accept within BOUNTY_WINDOW, or back to them.

Every XP movement is a ledger row with its own idempotency key (offered, awarded, refunded), so a
retried job or a double click moves nothing twice; the bounty row's status, changed under its
lock, says which of the two endings happened, so a bounty is never both awarded and refunded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qa.exceptions import BountyUnavailableError, InvalidInputError, NotAskerError
from qa.models import Answer, Bounty, Question

BOUNTY_MIN = 10
BOUNTY_MAX = 100
BOUNTY_WINDOW = dt.timedelta(days=7)


def bounty_ledger_key(bounty: Bounty, movement: str) -> str:
    """The idempotency key of one movement (offered, awarded, refunded) of a bounty's XP."""
    return f"qa:bounty:{bounty.pk}:{movement}"


@transaction.atomic
def bounty_offer(*, question: Question, sponsor: Any, amount: Any) -> Bounty:
    """The asker puts BOUNTY_MIN-BOUNTY_MAX of their own XP on their open question (one open
    bounty at a time), from level BOUNTY_LEVEL and within the XP they hold; the XP leaves their
    balance at once and the bounty runs for BOUNTY_WINDOW."""
    from gamification import levels
    from gamification.rules import Action
    from gamification.services import xp_spend

    if sponsor.pk != question.asker_id:
        raise NotAskerError("Only the person who asked this question can offer a bounty on it.")
    if (
        isinstance(amount, bool)
        or not isinstance(amount, int)
        or not (BOUNTY_MIN <= amount <= BOUNTY_MAX)
    ):
        message = f"A bounty is a whole number of XP from {BOUNTY_MIN} to {BOUNTY_MAX}."
        raise InvalidInputError(message, fields={"amount": [message]})
    locked = Question.objects.select_for_update().get(pk=question.pk)
    if locked.is_hidden or locked.status != Question.Status.OPEN:
        raise BountyUnavailableError(
            "Bounties go on open questions: this one is closed, hidden or has an accepted answer."
        )
    if Bounty.objects.filter(question=locked, status=Bounty.Status.OPEN).exists():
        raise BountyUnavailableError("This question already has a bounty running.")
    now = timezone.now()
    bounty = Bounty.objects.create(
        question=locked, sponsor=sponsor, amount=amount, expires_at=now + BOUNTY_WINDOW
    )
    xp_spend(
        user=sponsor,
        action=Action.BOUNTY_OFFERED,
        amount=amount,
        idempotency_key=bounty_ledger_key(bounty, "offered"),
        minimum_level=levels.BOUNTY_LEVEL,
        reason=f"Bounty on “{locked.title[:150]}”",
        source=bounty,
    )
    return bounty


@transaction.atomic
def bounty_award(*, answer: Answer, at: dt.datetime | None = None) -> Bounty | None:
    """The asker accepted `answer`: the question's open bounty goes to its author, once, if the
    acceptance came within the bounty's window (the asker's own answer never wins it; the
    bounty then runs on until it is refunded)."""
    from gamification.rules import Action
    from gamification.services import xp_award

    bounty = (
        Bounty.objects.select_for_update()
        .filter(question_id=answer.question_id, status=Bounty.Status.OPEN)
        .first()
    )
    moment = at or timezone.now()
    if bounty is None or moment > bounty.expires_at:
        return None
    answer = Answer.objects.select_related("author").get(pk=answer.pk)
    if answer.author_id == bounty.sponsor_id or answer.is_hidden or not answer.is_accepted:
        return None
    bounty.status = Bounty.Status.AWARDED
    bounty.answer = answer
    bounty.awarded_to_id = answer.author_id
    bounty.settled_at = moment
    bounty.save(update_fields=["status", "answer", "awarded_to", "settled_at"])
    xp_award(
        user=answer.author,
        action=Action.BOUNTY_AWARDED,
        idempotency_key=bounty_ledger_key(bounty, "awarded"),
        amount=bounty.amount,
        reason="Bounty for your accepted answer",
        source=bounty,
        at=moment,
    )
    return bounty


def bounties_settle(*, now: dt.datetime | None = None) -> int:
    """Refund every open bounty whose window ended, or whose question was closed, hidden or
    deleted, to its sponsor (each once). Returns how many were refunded."""
    moment = now or timezone.now()
    due = (
        Bounty.objects.filter(status=Bounty.Status.OPEN)
        .filter(
            Q(expires_at__lte=moment)
            | Q(question__isnull=True)
            | Q(question__status=Question.Status.CLOSED)
            | Q(question__is_hidden=True)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for bounty_id in list(due) if _bounty_refund(bounty_id=bounty_id, at=moment))


@transaction.atomic
def _bounty_refund(*, bounty_id: int, at: dt.datetime) -> bool:
    from gamification.rules import Action
    from gamification.services import xp_award

    bounty = Bounty.objects.select_for_update().select_related("sponsor").get(pk=bounty_id)
    if bounty.status != Bounty.Status.OPEN:
        return False  # awarded (or refunded) since the job listed it
    bounty.status = Bounty.Status.REFUNDED
    bounty.settled_at = at
    bounty.save(update_fields=["status", "settled_at"])
    xp_award(
        user=bounty.sponsor,
        action=Action.BOUNTY_REFUNDED,
        idempotency_key=bounty_ledger_key(bounty, "refunded"),
        amount=bounty.amount,
        reason="Bounty refunded: no answer was accepted while it ran",
        source=bounty,
        at=at,
    )
    return True
