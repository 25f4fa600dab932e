"""50 identical awards at once post one ledger row; 50 different ones all count.

Meant for PostgreSQL (DATABASE_URL=postgres://...): each thread has its own connection and
transaction, and the profile's row lock plus the key's unique constraint make it exact.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from courses.tests.factories import StudentFactory
from gamification import services
from gamification.models import GamificationProfile, XpLedgerEntry
from gamification.tests.ledger import ledger_total

pytestmark = pytest.mark.django_db(transaction=True)

REQUESTS = 50


def _run_together(calls) -> list:
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [future.result() for future in [pool.submit(run, call) for call in calls]]


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite serialises writers; run against PostgreSQL"
)
def test_fifty_identical_awards_post_one_row() -> None:
    user = StudentFactory()
    calls = [
        lambda: services.xp_award(
            user=user, action="manual_grant", idempotency_key="same", amount=7
        )
        for _ in range(REQUESTS)
    ]
    entries = _run_together(calls)
    assert XpLedgerEntry.objects.filter(user=user).count() == 1
    assert len({entry.pk for entry in entries}) == 1
    assert GamificationProfile.objects.get(user=user).xp_total == 7 == ledger_total(user)


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite serialises writers; run against PostgreSQL"
)
def test_fifty_different_awards_all_count_and_the_total_is_the_ledger_sum() -> None:
    user = StudentFactory()
    calls = [
        (
            lambda n=n: services.xp_award(
                user=user, action="manual_grant", idempotency_key=f"k{n}", amount=n + 1
            )
        )
        for n in range(REQUESTS)
    ]
    _run_together(calls)
    assert XpLedgerEntry.objects.filter(user=user).count() == REQUESTS
    total = sum(range(1, REQUESTS + 1))
    assert GamificationProfile.objects.get(user=user).xp_total == total == ledger_total(user)
