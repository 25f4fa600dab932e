"""Leaderboards: ranks, ties, hidden learners, and Redis agreeing with the database."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from courses.tests.factories import StudentFactory
from gamification import selectors, services
from gamification.leaderboard import (
    DatabaseLeaderboard,
    RedisLeaderboard,
    board_for,
    leaderboards_rebuild,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)  # a Wednesday
LAST_WEEK = NOW - dt.timedelta(days=7)


def _grant(user, amount: int, key: str, *, course=None, at=NOW) -> None:
    services.xp_award(
        user=user, action="manual_grant", idempotency_key=key, amount=amount, course=course, at=at
    )


def _population(course) -> list:
    users = [StudentFactory(display_name=f"User {n}") for n in range(6)]
    amounts = [50, 80, 80, 10, 200, 80]
    for user, amount in zip(users, amounts, strict=True):
        _grant(user, amount, f"now:{user.pk}", course=course if amount != 10 else None)
    _grant(users[3], 500, f"old:{users[3].pk}", at=LAST_WEEK)  # all time only
    return users


def _boards(course) -> list:
    return [
        board_for(scope=scope, period=period, course_id=course.pk, at=NOW)
        for scope in ("global", "course")
        for period in ("week", "all")
    ]


@time_machine.travel(NOW, tick=False)
def test_the_database_ranks_with_ties_sharing_a_rank_ordered_by_id(course) -> None:
    users = _population(course)
    page = selectors.leaderboard_get(viewer=None, scope="global", period="week")
    assert [(row.rank, row.user_id, row.xp) for row in page.rows] == [
        (1, users[4].pk, 200),
        (2, users[1].pk, 80),
        (2, users[2].pk, 80),
        (2, users[5].pk, 80),
        (5, users[0].pk, 50),
        (6, users[3].pk, 10),
    ]
    all_time = selectors.leaderboard_get(viewer=None, scope="global", period="all")
    assert (all_time.rows[0].user_id, all_time.rows[0].xp) == (users[3].pk, 510)
    per_course = selectors.leaderboard_get(
        viewer=None, scope="course", period="all", course_id=course.pk
    )
    assert users[3].pk not in [row.user_id for row in per_course.rows]


@time_machine.travel(NOW, tick=False)
def test_a_learner_below_the_top_sees_their_own_rank(course) -> None:
    users = _population(course)
    page = selectors.leaderboard_get(viewer=users[0], scope="global", period="week", limit=2)
    assert [row.user_id for row in page.rows] == [users[4].pk, users[1].pk]
    assert (page.me.rank, page.me.xp, page.me.is_me) == (5, 50, True)


@time_machine.travel(NOW, tick=False)
def test_hidden_learners_leave_the_public_boards(course, django_capture_on_commit_callbacks):
    users = _population(course)
    with django_capture_on_commit_callbacks(execute=True):
        services.leaderboard_visibility_set(user=users[4], is_hidden=True)
    page = selectors.leaderboard_get(viewer=None, scope="global", period="week")
    assert users[4].pk not in [row.user_id for row in page.rows]
    assert (page.rows[0].rank, page.rows[0].xp) == (1, 80)
    assert selectors.stats_get(users[4], at=NOW)["rank_week"] is None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@time_machine.travel(NOW, tick=False)
def test_redis_serves_the_same_order_and_ranks_and_a_rebuild_reproduces_them(
    redis_settings, course
) -> None:
    from django_redis import get_redis_connection

    users = _population(course)  # recorded in Redis on commit of each award
    client = get_redis_connection("default")
    redis_store, database_store = RedisLeaderboard(client), DatabaseLeaderboard()
    live = {}
    for board in _boards(course):
        assert redis_store.top(board, 100) == database_store.top(board, 100), board
        assert redis_store.top(board, 3) == database_store.top(board, 3), board
        for user in users:
            assert redis_store.rank(board, user.pk) == database_store.rank(board, user.pk)
        live[board] = redis_store.top(board, 100)
    for board in _boards(course):
        client.delete(board.key())
    assert leaderboards_rebuild(weeks=2, at=NOW) == 6
    for board in _boards(course):
        assert redis_store.top(board, 100) == live[board]
    # The selector reads Redis now.
    page = selectors.leaderboard_get(viewer=users[0], scope="global", period="week", limit=2)
    assert (page.me.rank, page.rows[0].user_id) == (5, users[4].pk)
