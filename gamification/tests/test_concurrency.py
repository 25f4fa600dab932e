"""Awards under real concurrency: one row per key, every distinct award counted, totals exact."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Sum

from courses.tests.factories import StudentFactory
from gamification import services
from gamification.models import LearnerStats, XpTransaction
from gamification.rules import Action

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="true row-level concurrency needs PostgreSQL; CI runs this on it",
    ),
]

THREADS = 50


def _in_parallel(work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(THREADS)

    def run(index: int) -> Any:
        try:
            barrier.wait()
            return work(index)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(run, range(THREADS)))


def test_fifty_identical_awards_at_once_make_one_ledger_row() -> None:
    learner = StudentFactory()
    results = _in_parallel(
        lambda _: services.xp_award(
            user=learner, action=Action.QUIZ_PASSED, idempotency_key="same-event", amount=30
        )
    )
    assert XpTransaction.objects.filter(user=learner).count() == 1
    assert sum(1 for result in results if result.created) == 1
    assert {result.transaction.pk for result in results} == {XpTransaction.objects.get().pk}
    assert LearnerStats.objects.get(user=learner).total_xp == 30


def test_fifty_different_awards_at_once_all_count_and_the_total_is_the_ledger_sum() -> None:
    learner = StudentFactory()
    _in_parallel(
        lambda index: services.xp_award(
            user=learner,
            action=Action.MANUAL_GRANT,
            idempotency_key=f"event-{index}",
            amount=index + 1,
        )
    )
    ledger = XpTransaction.objects.filter(user=learner)
    assert ledger.count() == THREADS
    total = ledger.aggregate(total=Sum("amount"))["total"]
    assert total == sum(range(1, THREADS + 1))
    assert LearnerStats.objects.get(user=learner).total_xp == total


def test_fifty_learners_joining_leagues_at_once_fill_cohorts_of_thirty() -> None:
    from gamification.models import LeagueCohort, LeagueMembership

    learners = [StudentFactory() for _ in range(THREADS)]
    _in_parallel(
        lambda index: services.xp_award(
            user=learners[index],
            action=Action.MANUAL_GRANT,
            idempotency_key=f"join-{index}",
            amount=index + 1,
        )
    )
    cohorts = list(LeagueCohort.objects.order_by("number"))
    assert [(c.number, c.member_count) for c in cohorts] == [(1, 30), (2, 20)]
    for cohort in cohorts:
        assert cohort.memberships.count() == cohort.member_count
    assert LeagueMembership.objects.count() == THREADS
