"""The dual rating: the asker's XP award (1-10) and anyone's star rating (1-5)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core.throttling import window_hit
from qa import events, reputation, selectors
from qa.exceptions import (
    AnswerNotFoundError,
    InvalidInputError,
    NotAskerError,
    OwnContentError,
    RateLimitedError,
    XpAwardLockedError,
)
from qa.models import Answer, ReputationEvent, StarRating, XpAward
from qa.services.reputation import (
    answer_star_totals_refresh,
    reputation_grant,
    reverse_live_events,
)

XP_LEDGER_ACTION = "answer_rated"


def _whole_number(value: Any, field: str, low: int, high: int, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        message = f"{label} must be a whole number from {low} to {high}."
        raise InvalidInputError(message, fields={field: [message]})
    return value


def xp_ledger_key(award: XpAward) -> str:
    """The idempotency key of one posting of an award to the gamification ledger."""
    return f"qa:answer-xp:{award.answer_id}:r{award.revision}"


def _xp_ledger_sync(award: XpAward, answer: Answer) -> None:
    """Bring the gamification ledger to what the XP formula gives for the current award.

    The asker's 1-10 is the factor of gamification's formula (base(answer_rated) x factor x the
    course's difficulty multiplier + the answerer's streak bonus), and the action's daily cap
    applies. The first award posts that amount; a change within the window posts only the
    difference to the formula's amount for the new value, under a new idempotency key, so the
    ledger's total for the answer is always the current award's worth, never the sum of the
    awards given. `ledger_amount` keeps what the ledger really holds (a cap may trim a posting).
    """
    from gamification.selectors import xp_quote_for
    from gamification.services import xp_award as ledger_xp_award

    course = answer.question.course
    target = xp_quote_for(
        user=award.recipient, action=XP_LEDGER_ACTION, course=course, factor=award.amount
    ).amount
    difference = target - award.ledger_amount
    if difference == 0:
        return
    result = ledger_xp_award(
        user=award.recipient,
        action=XP_LEDGER_ACTION,
        idempotency_key=xp_ledger_key(award),
        course=course,
        source=award,
        amount=difference,
        reason=f"Your answer was awarded {award.amount} of 10 by its asker",
    )
    if result is None or not result.created:  # the day's cap is reached (or a replay)
        return
    award.ledger_amount += result.transaction.amount
    award.save(update_fields=["ledger_amount", "updated_at"])


def _rating_reputation(
    *,
    kind: str,
    points: int,
    rater: Any,
    answer: Answer,
    star_rating: StarRating | None = None,
    xp_award: XpAward | None = None,
) -> None:
    """Reverse the rating's earlier reputation, then grant the new one (zero inside a ring)."""
    earlier = ReputationEvent.objects.filter(kind=kind, is_reversed=False)
    earlier = (
        earlier.filter(star_rating=star_rating)
        if star_rating is not None
        else earlier.filter(xp_award=xp_award)
    )
    reverse_live_events(earlier.order_by("pk"), note="the rating was changed")
    refused = selectors.rating_earns_reputation(rater=rater, author=answer.author)
    reputation_grant(
        user=answer.author,
        kind=kind,
        points=0 if refused else points,
        actor=rater,
        answer=answer,
        star_rating=star_rating,
        xp_award=xp_award,
        note=refused,
    )


@transaction.atomic
def answer_rate(*, answer: Answer, asker: Any, xp: Any) -> XpAward:
    """The asker awards 1-10 XP to an answer to their question: once per answer, never to
    their own; it may be changed within XP_AWARD_CHANGE_WINDOW, and the answer's author
    receives exactly the current amount in the gamification ledger."""
    # Who comes before what: anyone but the asker is refused whatever value they sent.
    if asker.pk != answer.question.asker_id:
        raise NotAskerError("Only the person who asked this question can award XP to its answers.")
    if asker.pk == answer.author_id:
        raise OwnContentError("You cannot award XP to your own answer.")
    xp = _whole_number(xp, "xp", 1, 10, "XP")
    # The answer's row lock serialises awards on it: two first awards cannot both be created.
    locked = Answer.objects.select_for_update().select_related("question").get(pk=answer.pk)
    if locked.is_hidden:
        raise AnswerNotFoundError("This answer has been hidden and cannot be rated.")
    award = XpAward.objects.filter(answer=locked).first()
    previous: int | None = None
    if award is None:
        award = XpAward.objects.create(
            answer=locked, giver=asker, recipient=locked.author, amount=xp
        )
    elif award.amount == xp:
        return award  # the same award again (a retry): nothing changes
    elif not selectors.xp_award_is_changeable(award):
        minutes = int(reputation.XP_AWARD_CHANGE_WINDOW.total_seconds() // 60)
        raise XpAwardLockedError(
            f"You awarded {award.amount} XP to this answer; it could only be changed within "
            f"{minutes} minutes.",
            extra={"xp": award.amount},
        )
    else:
        previous = award.amount
        award.amount = xp
        award.revision += 1
        award.save(update_fields=["amount", "revision", "updated_at"])
    _rating_reputation(
        kind=ReputationEvent.Kind.XP_AWARD,
        points=reputation.XP_AWARD_POINTS_PER_XP * xp,
        rater=asker,
        answer=locked,
        xp_award=award,
    )
    _xp_ledger_sync(award, locked)
    transaction.on_commit(
        lambda: events.answer_rated.send(
            sender=Answer, answer=locked, rater=asker, kind="xp", value=xp, previous=previous
        )
    )
    return award


@transaction.atomic
def answer_star(*, answer: Answer, rater: Any, stars: Any) -> StarRating:
    """Any signed-in user but the author rates an answer 1-5 stars; rating again replaces the
    earlier rating. The answer's count and total are recounted under its row lock."""
    if rater.pk == answer.author_id:
        raise OwnContentError("You cannot rate your own answer.")
    stars = _whole_number(stars, "stars", 1, 5, "Stars")
    hits, _ = window_hit(f"qa:star-ratings:{rater.pk}", 3600)
    if hits > reputation.STAR_RATINGS_PER_HOUR:
        raise RateLimitedError(
            f"You can rate at most {reputation.STAR_RATINGS_PER_HOUR} answers an hour; "
            "try again later."
        )
    locked = Answer.objects.select_for_update().get(pk=answer.pk)
    if locked.is_hidden:
        raise AnswerNotFoundError("This answer has been hidden and cannot be rated.")
    rating = StarRating.objects.filter(answer=locked, rater=rater).first()
    previous: int | None = None
    if rating is None:
        rating = StarRating.objects.create(answer=locked, rater=rater, stars=stars)
    elif rating.stars == stars:
        return rating
    else:
        previous = rating.stars
        rating.stars = stars
        rating.save(update_fields=["stars", "updated_at"])
    locked = answer_star_totals_refresh(answer_id=locked.pk)
    _rating_reputation(
        kind=ReputationEvent.Kind.STARS,
        points=reputation.STAR_POINTS[stars],
        rater=rater,
        answer=locked,
        star_rating=rating,
    )
    transaction.on_commit(
        lambda: events.answer_rated.send(
            sender=Answer, answer=locked, rater=rater, kind="stars", value=stars, previous=previous
        )
    )
    return rating
