"""Two learners placed in a league cohort at the same moment, made deterministic: a second
connection holds the competing write open while the award waits on it (seen through PostgreSQL's
`pg_blocking_pids()`), then commits. The award must join the cohort the other opened, never a
third one, and never fail.

SQLite serialises writers (the award could not start while the other write is open), so these
skip there; CI runs them on PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from courses.tests.factories import StudentFactory
from gamification import leaderboards, leagues, services
from gamification.models import LeagueCohort, LeagueMembership
from gamification.rules import Action

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="true row-level concurrency needs PostgreSQL; CI runs this on it",
    ),
]

TIMEOUT_SECONDS = 30.0


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _blocked_by(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [pid]
        )
        return cursor.fetchone()[0] > 0


def _award_while_held(competing_write: Callable[[], None]) -> LeagueMembership:
    """Run `competing_write` in an open transaction, start a learner's first award of the week,
    wait until the award is blocked by that transaction, commit it; return the learner's place."""
    learner = StudentFactory()
    held, release = threading.Event(), threading.Event()
    holder_pid: list[int] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                competing_write()
                holder_pid.append(_backend_pid())
                held.set()
                assert release.wait(TIMEOUT_SECONDS)
        finally:
            connections.close_all()

    def award() -> None:
        try:
            services.xp_award(
                user=learner, action=Action.MANUAL_GRANT, idempotency_key="race", amount=25
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        holding = pool.submit(hold)
        assert held.wait(TIMEOUT_SECONDS)
        awarding = pool.submit(award)
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while not _blocked_by(holder_pid[0]):
            assert not awarding.done(), awarding.exception()
            assert time.monotonic() < deadline, "the award never waited on the open write"
            time.sleep(0.02)  # the pause between polls
        release.set()
        holding.result(TIMEOUT_SECONDS)
        awarding.result(TIMEOUT_SECONDS)
    return LeagueMembership.objects.select_related("cohort").get(user=learner)


def test_an_award_racing_the_opening_of_the_next_cohort_joins_it() -> None:
    """The only cohort is full; the other side opens cohort 2 first, our insert of cohort 2
    fails on the unique number, and the award joins the other's cohort 2 instead."""
    week = leaderboards.week_start_of(timezone.now())
    LeagueCohort.objects.create(week_start=week, tier=1, number=1, member_count=leagues.COHORT_SIZE)

    place = _award_while_held(
        lambda: LeagueCohort.objects.create(week_start=week, tier=1, number=2)
    )

    assert (place.cohort.number, place.xp) == (2, 25)
    assert list(LeagueCohort.objects.order_by("number").values_list("number", "member_count")) == [
        (1, leagues.COHORT_SIZE),
        (2, 1),
    ]


def test_an_award_waiting_on_a_cohort_that_fills_up_looks_again_and_finds_the_new_one() -> None:
    """The award waits on cohort 1's lock while the other side takes its last seat and opens
    cohort 2; the wait ends with cohort 1 full (and cohort 2 outside that read's snapshot), so
    the award looks again and joins cohort 2 rather than opening a cohort 3."""
    week = leaderboards.week_start_of(timezone.now())
    first = LeagueCohort.objects.create(
        week_start=week, tier=1, number=1, member_count=leagues.COHORT_SIZE - 1
    )

    def fill_and_open() -> None:
        LeagueCohort.objects.select_for_update().get(pk=first.pk)
        LeagueCohort.objects.filter(pk=first.pk).update(member_count=leagues.COHORT_SIZE)
        LeagueCohort.objects.create(week_start=week, tier=1, number=2)

    place = _award_while_held(fill_and_open)

    assert (place.cohort.number, place.xp) == (2, 25)
    assert list(LeagueCohort.objects.order_by("number").values_list("number", "member_count")) == [
        (1, leagues.COHORT_SIZE),
        (2, 1),
    ]
