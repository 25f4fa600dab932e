"""A Celery worker SIGKILLed in the middle of an XP award loses no XP and mints none twice.

Real processes: `celery -A lms worker` (lms/celery.py, the production settings: acks_late,
reject_on_worker_lost, prefetch 1) on a redis-server of the test's own as the broker, against
this test's PostgreSQL database (committed data, `transaction=True`).

The job is held in flight deterministically, without sleeps: the test locks the learner's stats
row (`SELECT ... FOR UPDATE`) before the job is sent, so the job's own `select_for_update` waits
on it; PostgreSQL's `pg_blocking_pids()` shows the moment the job is waiting. Then the worker is
killed, the lock released, and the award must reach the ledger exactly once.

- pool process killed: the main process sees its child die and (reject_on_worker_lost) puts the
  message back on the queue, so the same worker runs it again at once.
- whole worker killed (main process and pool, as an OOM killer or a lost host does): nothing is
  left to reject, the message stays in the broker's "unacked" set, and a new worker re-queues
  it once it is older than the visibility timeout (CELERY_VISIBILITY_TIMEOUT, 1 s here instead
  of production's hour, so the drill does not wait an hour).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from accounts.tests.factories import StudentFactory
from gamification import rules, services
from gamification.models import LearnerStats, XpTransaction
from gamification.rules import Action
from tests.integration.servers import CeleryWorker, RedisServer, current_database_url

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the worker subprocess shares the test database only on PostgreSQL "
    "(set DATABASE_URL); it also holds the job with a row lock",
)

VISIBILITY_TIMEOUT_SECONDS = 1
TIMEOUT_SECONDS = 60.0
STREAK = 3


def _poll(condition: Callable[[], object], what: str) -> object:
    """Poll `condition()` until it returns something true; fail after TIMEOUT_SECONDS."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)  # the pause between polls, not a synchronisation
    raise AssertionError(f"timed out after {TIMEOUT_SECONDS:.0f}s waiting for {what}")


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[RedisServer]:
    # A redis-server of our own: the broker's queue and "unacked" keys are this test's alone.
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def workers(tmp_path: Path, broker: RedisServer) -> Iterator[Callable[[str], CeleryWorker]]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "REDIS_URL", "CELERY_"))
    }
    env.update(
        DJANGO_ENV="test",
        DATABASE_URL=current_database_url(),
        REDIS_URL=broker.url,
        CELERY_TASK_ALWAYS_EAGER="False",
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT_SECONDS),
        SECRET_KEY=settings.SECRET_KEY,
        LOG_LEVEL="WARNING",
    )
    started: list[CeleryWorker] = []

    def start(name: str) -> CeleryWorker:
        worker = CeleryWorker(env, tmp_path, name)
        started.append(worker)
        worker.start()
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()


class StatsLock:
    """The learner's stats row locked FOR UPDATE on a connection of the test's own."""

    def __init__(self, user_id: int) -> None:
        self.connection = psycopg.connect(current_database_url())
        self.connection.execute(
            "SELECT 1 FROM gamification_learnerstats WHERE user_id = %s FOR UPDATE", [user_id]
        )
        self.backend_pid = self.connection.info.backend_pid

    def waiting(self) -> set[int]:
        """Backends (the job's) waiting on a lock in this database: on this one directly, or
        queued behind an earlier waiter for the same row (PostgreSQL then names that waiter,
        not us, as the blocker)."""
        with psycopg.connect(current_database_url(), autocommit=True) as probe:
            rows = probe.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND cardinality(pg_blocking_pids(pid)) > 0"
            ).fetchall()
        return {pid for (pid,) in rows}

    def release(self) -> None:
        if not self.connection.closed:
            self.connection.rollback()
            self.connection.close()


def _send_award(broker_url: str, **kwargs: object) -> None:
    app = Celery("drill", broker=broker_url)
    try:
        app.send_task("gamification.learning_rewarded", kwargs=kwargs)
    finally:
        app.close()


def _broker_idle(client: redis.Redis) -> bool:
    """Nothing queued and nothing delivered-but-unacknowledged."""
    queues = [key for key in client.scan_iter("celery*") if client.type(key) == b"list"]
    queued = sum(client.llen(key) for key in queues)
    return queued == 0 and client.hlen("unacked") == 0


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@needs_postgresql
@pytest.mark.parametrize("killed", ["pool process", "whole worker"])
def test_a_worker_killed_mid_award_loses_no_xp_and_mints_none_twice(
    killed: str, broker: RedisServer, workers: Callable[[str], CeleryWorker]
) -> None:
    learner = StudentFactory()
    at = timezone.now()
    # Already active today, so the job's streak step changes nothing: the award is the only XP.
    LearnerStats.objects.create(
        user=learner,
        current_streak=STREAK,
        longest_streak=STREAK,
        last_active_date=services.local_moment(learner, at).date(),
    )
    expected = rules.xp_quote(action=Action.LESSON_COMPLETED, difficulty=None, streak=STREAK).amount
    assert expected > 0
    key = f"drill:lesson:{learner.pk}"
    client = redis.Redis(port=broker.port)

    lock = StatsLock(learner.pk)
    try:
        first = workers("first")
        _send_award(
            broker.url,
            user_id=learner.pk,
            action=Action.LESSON_COMPLETED,
            idempotency_key=key,
            at=at.isoformat(),
        )
        in_flight = _poll(lock.waiting, "the job to start and wait on the stats row")
        assert client.hlen("unacked") == 1  # delivered, not acknowledged (acks_late)

        if killed == "pool process":
            (pool_pid,) = first.pool_pids()
            os.kill(pool_pid, signal.SIGKILL)
            # The same worker runs the job again: a second backend waits on the lock.
            _poll(lambda: lock.waiting() - in_flight, "the re-queued job to start again")
        else:
            first.kill()
            delivered_at = client.zrange("unacked_index", 0, -1, withscores=True)
            assert len(delivered_at) == 1, "the killed worker's job is still unacknowledged"
            (_, score) = delivered_at[0]
            _poll(
                lambda: time.time() - score > VISIBILITY_TIMEOUT_SECONDS,
                "the abandoned delivery to pass the visibility timeout",
            )
        assert not XpTransaction.objects.filter(idempotency_key=key).exists()
    finally:
        lock.release()

    if killed == "whole worker":
        workers("second")
    _poll(
        lambda: XpTransaction.objects.filter(idempotency_key=key).exists(),
        "the award to reach the ledger",
    )
    _poll(lambda: _broker_idle(client), "the broker to have nothing left to deliver")

    awards = XpTransaction.objects.filter(user=learner)
    assert list(awards.values_list("action", "amount")) == [(Action.LESSON_COMPLETED, expected)]
    assert awards.aggregate(total=Sum("amount"))["total"] == expected
    assert LearnerStats.objects.get(user=learner).total_xp == expected


def test_the_visibility_timeout_outlasts_every_task_and_retry() -> None:
    """Shorter than a running task (or a retry's countdown, which a Redis worker holds
    unacknowledged), the broker would hand a live job to a second worker."""
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    longest_retry_countdown = 600  # Celery's retry_backoff_max, which the tasks keep
    assert timeout > settings.CELERY_TASK_TIME_LIMIT
    assert timeout > longest_retry_countdown
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
