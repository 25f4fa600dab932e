"""Leaderboards: Redis and the database rank alike, a rebuild reproduces Redis, privacy holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import TestCase

from accounts.models import User
from courses.tests.factories import CourseFactory, StudentFactory
from gamification import leaderboards, services
from gamification.leaderboards import ALL_TIME, COURSE, GLOBAL, WEEK, Board
from gamification.models import LeaderboardSnapshot
from gamification.rules import Action
from gamification.selectors import leaderboard_get, study_group_leaderboard

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 5, 6, 12, 0, tzinfo=dt.UTC)  # a Wednesday


@pytest.fixture
def redis_backend() -> Any:
    """The boards' own Redis backend (the one xp_award feeds after commit), emptied around the
    test; skipped unless REDIS_URL puts the site's boards on Redis."""
    board_backend = leaderboards.backend()
    if not isinstance(board_backend, leaderboards.RedisBackend):
        pytest.skip("needs REDIS_URL (the boards on Redis, as in production); CI provides one")

    def empty() -> None:
        for key in board_backend.client.scan_iter(match=f"{board_backend.prefix}:*"):
            board_backend.client.delete(key)

    empty()
    yield board_backend
    empty()


def _award(user: User, amount: int, key: str, course: Any = None, at: Any = NOON) -> None:
    """An award whose after-commit work (the Redis boards when configured) really runs."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.xp_award(
            user=user,
            action=Action.MANUAL_GRANT,
            idempotency_key=key,
            amount=amount,
            course=course,
            at=at,
        )


def _scenario(redis_backend: Any) -> tuple[list[User], Any]:
    """Eight learners with ties, two courses, last week's and this week's XP, awarded through
    xp_award, whose after-commit work feeds `redis_backend` as it does in production."""
    learners = [StudentFactory() for _ in range(8)]
    course = CourseFactory()
    amounts = [50, 80, 80, 10, 200, 80, 5, 120]
    last_week = NOON - dt.timedelta(days=7)
    for index, (learner, amount) in enumerate(zip(learners, amounts, strict=True)):
        _award(learner, amount, f"now-{index}", course if index % 2 else None, NOON)
        _award(learner, 7 * (index + 1), f"old-{index}", course, last_week)
    global_all_time = redis_backend.top(Board(GLOBAL, ALL_TIME), 100)
    assert len(global_all_time) == 8  # Redis was filled by the awards, not by this test
    return learners, course


def _boards(course: Any) -> list[Board]:
    week = leaderboards.week_start_of(NOON)
    return [
        Board(GLOBAL, ALL_TIME),
        Board(GLOBAL, WEEK, week_start=week),
        Board(GLOBAL, WEEK, week_start=week - dt.timedelta(days=7)),
        Board(COURSE, ALL_TIME, course.pk),
        Board(COURSE, WEEK, course.pk, week),
    ]


def test_redis_and_the_database_rank_every_board_alike(redis_backend: Any) -> None:
    learners, course = _scenario(redis_backend)
    database = leaderboards.DatabaseBackend()
    for board in _boards(course):
        assert redis_backend.top(board, 100) == database.top(board, 100), board
        for learner in learners:
            assert redis_backend.standing(board, learner.pk) == database.standing(
                board, learner.pk
            ), (board, learner.pk)
    # Ties are broken by the lower user id, and ranks run 1, 2, 3...
    top = database.top(Board(GLOBAL, WEEK, week_start=leaderboards.week_start_of(NOON)), 4)
    assert [(s.xp, s.rank) for s in top] == [(200, 1), (120, 2), (80, 3), (80, 4)]
    assert top[2].user_id < top[3].user_id


def test_a_rebuild_from_the_ledger_reproduces_redis_exactly(redis_backend: Any) -> None:
    _, course = _scenario(redis_backend)
    boards = _boards(course)
    before = {board: redis_backend.top(board, 100) for board in boards}
    for board in boards:
        redis_backend.client.delete(redis_backend.full_key(board))
    assert all(redis_backend.top(board, 100) == [] for board in boards)

    redis_backend.rebuild(boards)

    assert {board: redis_backend.top(board, 100) for board in boards} == before


def test_a_learner_sees_their_own_rank_outside_the_top(student: User) -> None:
    others = [StudentFactory() for _ in range(4)]
    for index, other in enumerate(others):
        _award(other, 100 + index, f"o{index}")
    _award(student, 1, "me")
    with time_machine.travel(NOON, tick=False):
        board = leaderboard_get(board=Board(GLOBAL, ALL_TIME), viewer=student, limit=3)
    assert [row.xp for row in board.rows] == [103, 102, 101]
    assert board.me is not None
    assert (board.me.rank, board.me.xp) == (5, 1)
    assert not any(row.is_me for row in board.rows)


def test_hidden_learners_are_left_off_public_boards(student: User, other_student: User) -> None:
    _award(student, 10, "a")
    _award(other_student, 5, "b")
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.leaderboard_visibility_set(user=student, hidden=True)
    board = leaderboard_get(board=Board(GLOBAL, ALL_TIME), viewer=other_student)
    assert [row.user_id for row in board.rows] == [other_student.pk]
    assert board.rows[0].rank == 1


def test_a_learner_shown_again_returns_to_every_redis_board(
    redis_backend: Any, student: User, other_student: User
) -> None:
    course = CourseFactory()
    _award(student, 10, "a", course=course)
    _award(other_student, 5, "b")
    course_board = Board(COURSE, ALL_TIME, course.pk)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.leaderboard_visibility_set(user=student, hidden=True)
    assert [row.user_id for row in redis_backend.top(Board(GLOBAL, ALL_TIME), 10)] == [
        other_student.pk
    ]
    assert redis_backend.top(course_board, 10) == []

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.leaderboard_visibility_set(user=student, hidden=False)

    assert [row.user_id for row in redis_backend.top(Board(GLOBAL, ALL_TIME), 10)] == [
        student.pk,
        other_student.pk,
    ]
    assert [row.user_id for row in redis_backend.top(course_board, 10)] == [student.pk]


def test_a_study_group_ranks_its_members(student: User, other_student: User) -> None:
    outsider = StudentFactory()
    group = services.study_group_create(owner=student, name="Night owls")
    services.study_group_join(user=other_student, invite_code=group.invite_code)
    for user, amount, key in ((student, 10, "s"), (other_student, 30, "o"), (outsider, 99, "x")):
        _award(user, amount, key, at=dt.datetime.now(dt.UTC))
    board = study_group_leaderboard(group=group, viewer=student, period=ALL_TIME)
    assert [(row.user_id, row.rank, row.xp) for row in board.rows] == [
        (other_student.pk, 1, 30),
        (student.pk, 2, 10),
    ]


def test_the_board_reads_a_fixed_number_of_queries(
    student: User, django_assert_max_num_queries: Any
) -> None:
    for count, expected_rows in ((3, 3), (30, 10)):
        for index in range(count):
            _award(StudentFactory(), index + 1, f"bulk-{count}-{index}")
        with django_assert_max_num_queries(4):
            board = leaderboard_get(board=Board(GLOBAL, ALL_TIME), viewer=student, limit=10)
        assert len(board.rows) == expected_rows


def test_settling_a_week_keeps_its_history(student: User, other_student: User) -> None:
    course = CourseFactory()
    last_week = NOON - dt.timedelta(days=7)
    _award(student, 40, "a", course=course, at=last_week)
    _award(other_student, 60, "b", at=last_week)
    with time_machine.travel(NOON, tick=False):
        written = services.weekly_boards_settle(week_start=leaderboards.week_start_of(last_week))
        again = services.weekly_boards_settle(week_start=leaderboards.week_start_of(last_week))
    from gamification.models import LeaderboardSnapshot

    rows = LeaderboardSnapshot.objects.order_by("scope", "rank")
    assert written == 3
    assert again == 3
    assert rows.count() == 3  # settling twice records once
    assert [(r.scope, r.user_id, r.rank, r.xp) for r in rows] == [
        ("course", student.pk, 1, 40),
        ("global", other_student.pk, 1, 60),
        ("global", student.pk, 2, 40),
    ]


def test_last_weeks_settled_board_is_kept_and_served_with_a_fixed_query_count(
    student: User, django_assert_num_queries: Any
) -> None:
    from rest_framework.test import APIClient

    last_week = NOON - dt.timedelta(days=7)
    week_start = leaderboards.week_start_of(last_week)
    client = APIClient()
    client.force_authenticate(student)
    _award(student, 1, "me", at=last_week)
    counts = set()
    others = 0
    for size in (2, 15):
        for index in range(size):
            _award(StudentFactory(), 10 + index, f"{size}-{index}", at=last_week)
        others += size
        LeaderboardSnapshot.objects.all().delete()
        with time_machine.travel(NOON, tick=False):
            services.weekly_boards_settle(week_start=week_start)
            with django_assert_num_queries(3) as captured:
                body = client.get(
                    f"/api/v1/gamification/leaderboard?period=week&week={week_start}&limit=5"
                ).json()
        counts.add(len(captured))
        assert body["week_start"] == week_start.isoformat()
        expected = {2: [11, 10, 1], 15: [24, 23, 22, 21, 20]}[size]
        assert [row["xp"] for row in body["results"]] == expected
        assert (body["me"]["rank"], body["me"]["xp"]) == (others + 1, 1)
    # XP recorded for that week after it closed does not rewrite its history.
    _award(student, 500, "late", at=last_week + dt.timedelta(hours=1))
    with time_machine.travel(NOON, tick=False):
        again = client.get(
            f"/api/v1/gamification/leaderboard?period=week&week={week_start}&limit=5"
        ).json()
    assert [(r["user_id"], r["rank"], r["xp"]) for r in again["results"]] == [
        (r["user_id"], r["rank"], r["xp"]) for r in body["results"]
    ]
    assert (again["me"]["rank"], again["me"]["xp"]) == (others + 1, 1)
    assert counts == {3}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=week&week=2026-05-05", "Monday"),
        ("period=week&week=2026-05-04", "ended"),
        ("period=all&week=2026-04-27", "period=week"),
        ("period=week&week=soon", "Date has wrong format"),
    ],
)
def test_a_bad_history_week_is_refused(student: User, query: str, message: str) -> None:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(student)
    with time_machine.travel(NOON, tick=False):
        response = client.get(f"/api/v1/gamification/leaderboard?{query}")
    assert response.status_code == 400
    assert message in str(response.json()["error"]["fields"]["week"])


def test_the_last_week_tab_shows_the_recorded_board(student: User, other_student: User) -> None:
    from django.test import Client

    last_week = NOON - dt.timedelta(days=7)
    _award(student, 40, "a", at=last_week)
    _award(other_student, 60, "b", at=last_week)
    _award(student, 100, "c", at=NOON)
    client = Client()
    client.force_login(student)
    with time_machine.travel(NOON, tick=False):
        services.weekly_boards_settle(week_start=leaderboards.week_start_of(last_week))
        page = client.get("/leaderboard/?period=last").content.decode()
    assert "Final standings, recorded when the week closed." in page
    assert "week of 27 Apr 2026" in page
    assert "<td>60</td>" in page
    assert "<td>40</td>" in page
    assert "<td>100</td>" not in page


def test_the_rebuild_command_restores_lost_redis_boards(
    redis_backend: Any, student: User, other_student: User, settings: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command

    if not settings.REDIS_URL:
        pytest.skip("the command rebuilds Redis boards: needs REDIS_URL (the cache on Redis)")
    course = CourseFactory()
    now = dt.datetime.now(dt.UTC)
    _award(student, 30, "a", course=course, at=now)
    _award(other_student, 50, "b", at=now)
    live = leaderboards.backend()
    assert isinstance(live, leaderboards.RedisBackend)
    boards = services.leaderboards_current()
    expected = {board: leaderboards.DatabaseBackend().top(board, 10) for board in boards}
    for board in boards:
        live.client.delete(live.full_key(board))  # Redis lost its data

    output = StringIO()
    call_command("leaderboards_rebuild", stdout=output)

    assert {board: live.top(board, 10) for board in boards} == expected
    assert expected[Board(GLOBAL, ALL_TIME)][0].user_id == other_student.pk
    assert "6 entries written" in output.getvalue()


@pytest.mark.django_db
def test_without_redis_the_boards_are_the_ledger_itself_and_need_no_rebuild(
    settings: Any, student: User, other_student: User, django_capture_on_commit_callbacks: Any
) -> None:
    """On the embedded default the boards are read from the database: there is nothing to
    rebuild, and hiding or showing a learner is just their flag."""
    from io import StringIO

    from django.core.management import call_command

    settings.REDIS_URL = ""
    now = dt.datetime.now(dt.UTC)
    _award(student, 30, "a", at=now)
    _award(other_student, 50, "b", at=now)

    output = StringIO()
    call_command("leaderboards_rebuild", stdout=output)
    with django_capture_on_commit_callbacks(execute=True):
        services.leaderboard_visibility_set(user=other_student, hidden=True)
    ranked = [entry.user_id for entry in leaderboards.backend().top(Board(GLOBAL, ALL_TIME), 10)]
    with django_capture_on_commit_callbacks(execute=True):
        services.leaderboard_visibility_set(user=other_student, hidden=False)
    shown = [entry.user_id for entry in leaderboards.backend().top(Board(GLOBAL, ALL_TIME), 10)]

    assert "0 entries written" in output.getvalue()
    assert ranked == [student.pk]
    assert shown == [other_student.pk, student.pk]
