"""Bounties: an asker from level 10 puts 10-100 of their own XP on their open question; the XP
leaves their total through the ledger at once, goes to the answer they accept within the week,
or comes back to them. Every movement happens once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db.models import Sum

from accounts.models import User
from gamification import services as gamification_services
from gamification.exceptions import LevelTooLowError
from gamification.models import LearnerStats, XpTransaction
from gamification.rules import Action
from qa import services
from qa.exceptions import BountyUnavailableError, InvalidInputError, NotAskerError
from qa.models import Answer, Bounty, Question
from qa.services.bounties import BOUNTY_WINDOW
from qa.tests.factories import make_answer

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)
LEVEL_10_XP = 2700  # level 10 starts at 2,610 XP


def _grant(user: User, amount: int) -> None:
    gamification_services.xp_award(
        user=user,
        action=Action.MANUAL_GRANT,
        idempotency_key=f"test-grant:{user.pk}:{amount}",
        amount=amount,
        at=NOON - dt.timedelta(days=1),
    )


def _total(user: User) -> int:
    return LearnerStats.objects.filter(user=user).values_list("total_xp", flat=True).first() or 0


def _bounty_rows(user: User) -> list[tuple[str, int]]:
    return list(
        XpTransaction.objects.filter(user=user, action__startswith="bounty_")
        .order_by("created_at", "id")
        .values_list("action", "amount")
    )


@pytest.fixture
def sponsor(asker: User) -> User:
    _grant(asker, LEVEL_10_XP)
    return asker


def _offer(question: Question, sponsor: User, amount: Any = 50) -> Bounty:
    with time_machine.travel(NOON, tick=False):
        return services.bounty_offer(question=question, sponsor=sponsor, amount=amount)


def _accept(answer: Answer, asker: User, capture: Any, at: dt.datetime) -> None:
    """The asker accepts through the real path (the answer_accepted event after commit)."""
    with time_machine.travel(at, tick=False), capture(execute=True):
        services.answer_accept(answer=answer, actor=asker)


def test_offering_a_bounty_takes_the_xp_from_the_asker_at_once(
    question: Question, sponsor: User
) -> None:
    bounty = _offer(question, sponsor, 50)

    assert (bounty.status, bounty.amount, bounty.sponsor) == (Bounty.Status.OPEN, 50, sponsor)
    assert bounty.expires_at == NOON + BOUNTY_WINDOW
    assert _total(sponsor) == LEVEL_10_XP - 50
    assert _bounty_rows(sponsor) == [(Action.BOUNTY_OFFERED, -50)]


def test_the_accepted_answer_wins_the_bounty_once(
    question: Question, sponsor: User, answerer: User, django_capture_on_commit_callbacks: Any
) -> None:
    answer = make_answer(question=question, author=answerer)
    bounty = _offer(question, sponsor, 40)

    _accept(answer, sponsor, django_capture_on_commit_callbacks, NOON + dt.timedelta(days=2))
    again = services.bounty_award(answer=answer, at=NOON + dt.timedelta(days=2, minutes=1))
    with time_machine.travel(NOON + BOUNTY_WINDOW + dt.timedelta(hours=1), tick=False):
        refunded = services.bounties_settle()

    bounty.refresh_from_db()
    assert (bounty.status, bounty.answer, bounty.awarded_to) == ("awarded", answer, answerer)
    assert again is None
    assert refunded == 0
    assert _bounty_rows(answerer) == [(Action.BOUNTY_AWARDED, 40)]
    assert _bounty_rows(sponsor) == [(Action.BOUNTY_OFFERED, -40)]
    assert _total(answerer) == 40
    assert _total(sponsor) == LEVEL_10_XP - 40


def test_an_unawarded_bounty_is_refunded_once_its_week_is_over(
    question: Question, sponsor: User, answerer: User, django_capture_on_commit_callbacks: Any
) -> None:
    answer = make_answer(question=question, author=answerer)
    bounty = _offer(question, sponsor, 30)

    with time_machine.travel(NOON + BOUNTY_WINDOW - dt.timedelta(minutes=1), tick=False):
        early = services.bounties_settle()
    with time_machine.travel(NOON + BOUNTY_WINDOW, tick=False):
        settled = services.bounties_settle()
        twice = services.bounties_settle()
    # Accepting after the week gives the answer nothing: the XP is back with the asker.
    _accept(answer, sponsor, django_capture_on_commit_callbacks, NOON + BOUNTY_WINDOW)

    bounty.refresh_from_db()
    assert (early, settled, twice) == (0, 1, 0)
    assert bounty.status == Bounty.Status.REFUNDED
    assert _total(sponsor) == LEVEL_10_XP
    assert _bounty_rows(sponsor) == [(Action.BOUNTY_OFFERED, -30), (Action.BOUNTY_REFUNDED, 30)]
    assert _bounty_rows(answerer) == []


def test_accepting_ones_own_answer_wins_nothing_and_the_bounty_is_refunded(
    question: Question, sponsor: User, django_capture_on_commit_callbacks: Any
) -> None:
    own = make_answer(question=question, author=sponsor)
    _offer(question, sponsor, 20)

    _accept(own, sponsor, django_capture_on_commit_callbacks, NOON + dt.timedelta(hours=1))
    with time_machine.travel(NOON + BOUNTY_WINDOW, tick=False):
        services.bounties_settle()

    assert Bounty.objects.get().status == Bounty.Status.REFUNDED
    assert _total(sponsor) == LEVEL_10_XP


def test_closing_or_deleting_the_question_refunds_its_bounty(
    question: Question, sponsor: User, categories: Any
) -> None:
    from qa.tests.factories import make_question

    _offer(question, sponsor, 25)
    other = make_question(asker=sponsor, category=categories["python"])
    _offer(other, sponsor, 35)
    services.question_close(question=question, actor=sponsor, reason="resolved")
    services.question_delete(question=other, actor=sponsor)

    with time_machine.travel(NOON + dt.timedelta(hours=1), tick=False):
        refunded = services.bounties_settle()

    assert refunded == 2
    assert set(Bounty.objects.values_list("status", flat=True)) == {Bounty.Status.REFUNDED}
    assert _total(sponsor) == LEVEL_10_XP


def test_only_the_asker_from_level_10_may_offer(
    question: Question, asker: User, other_student: User
) -> None:
    _grant(other_student, LEVEL_10_XP)
    _grant(asker, 500)  # level 4

    with pytest.raises(NotAskerError):
        _offer(question, other_student)
    with pytest.raises(LevelTooLowError) as low:
        _offer(question, asker)

    assert low.value.status_code == 403
    assert low.value.message == "This unlocks at level 10; you are level 4."
    assert not Bounty.objects.exists()
    assert (_total(asker), _total(other_student)) == (500, LEVEL_10_XP)
    assert not XpTransaction.objects.filter(action__startswith="bounty_").exists()


@pytest.mark.parametrize("amount", [0, 9, 101, -50, "50", 12.5, True, None])
def test_a_bounty_is_a_whole_number_of_xp_from_10_to_100(
    question: Question, sponsor: User, amount: Any
) -> None:
    with pytest.raises(InvalidInputError) as error:
        _offer(question, sponsor, amount)

    assert error.value.fields == {"amount": ["A bounty is a whole number of XP from 10 to 100."]}
    assert not Bounty.objects.exists()
    assert _total(sponsor) == LEVEL_10_XP


def test_one_bounty_at_a_time_and_only_on_open_questions(
    question: Question, sponsor: User, answerer: User
) -> None:
    _offer(question, sponsor, 10)
    with pytest.raises(BountyUnavailableError) as running:
        _offer(question, sponsor, 10)
    answered = make_answer(question=question, author=answerer)
    services.answer_accept(answer=answered, actor=sponsor)  # the question is answered now
    with pytest.raises(BountyUnavailableError) as closed:
        _offer(question, sponsor, 10)

    assert running.value.message == "This question already has a bounty running."
    assert closed.value.message == (
        "Bounties go on open questions: this one is closed, hidden or has an accepted answer."
    )
    assert Bounty.objects.count() == 1
    assert _total(sponsor) == LEVEL_10_XP - 10


def test_the_xp_total_always_equals_the_ledger_after_bounties(
    question: Question, sponsor: User, answerer: User, django_capture_on_commit_callbacks: Any
) -> None:
    answer = make_answer(question=question, author=answerer)
    _offer(question, sponsor, 100)
    _accept(answer, sponsor, django_capture_on_commit_callbacks, NOON + dt.timedelta(days=1))

    for user in (sponsor, answerer):
        ledger = XpTransaction.objects.filter(user=user).aggregate(total=Sum("amount"))["total"]
        assert _total(user) == ledger


def test_the_hourly_beat_job_refunds_expired_bounties(
    question: Question, sponsor: User, settings: Any
) -> None:
    from qa import tasks

    _offer(question, sponsor, 45)
    scheduled = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    with time_machine.travel(NOON + BOUNTY_WINDOW + dt.timedelta(minutes=30), tick=False):
        refunded = tasks.bounties_settle.delay().get()

    assert scheduled["qa.bounties_settle"]["schedule"].minute == {25}
    assert refunded == 1
    assert _total(sponsor) == LEVEL_10_XP
