"""Edges of the asker's XP award: an award the XP table makes worth nothing posts nothing."""

from __future__ import annotations

import pytest

from accounts.models import User
from qa import services
from qa.models import Answer, XpAward
from qa.tests.ledger import ledger_entries, ledger_total

pytestmark = pytest.mark.django_db


def test_an_award_worth_no_xp_by_the_table_is_kept_but_posts_nothing_to_the_ledger(
    settings, answer: Answer, asker: User, answerer: User
) -> None:
    # An economy tuned so that help-center awards mint no XP (base 0 for answer_rated).
    settings.GAMIFICATION = {"XP_BASE": {"answer_rated": 0}}

    award = services.answer_rate(answer=answer, asker=asker, xp=8)

    assert (award.amount, award.ledger_amount) == (8, 0)
    assert XpAward.objects.get(answer=answer).amount == 8
    assert ledger_entries(answerer) == []
    assert ledger_total(answerer) == 0
