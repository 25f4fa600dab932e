"""Leaderboards: global or per course, this week or all time, with one interface and two stores.

`RedisLeaderboard` keeps one sorted set per board (ZINCRBY on each award, ZREVRANGE/ZCOUNT to
read) through django-redis's client when `REDIS_URL` is set; `DatabaseLeaderboard` computes the
same boards from the ledger on the embedded defaults. Both rank alike: competition ranking (a
user's rank is 1 + the number of users with strictly more XP), ties ordered by user id, hidden
users left out. `leaderboards_rebuild` refills Redis from the ledger, which is the truth.

Weeks are ISO weeks in UTC (Monday 00:00 UTC), so every learner's board resets at the same
moment; a week's sorted set expires after `WEEK_KEY_DAYS`, and older weeks stay computable from
the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.db.models import F, Sum
from django.utils import timezone

from gamification.models import GamificationProfile, XpLedgerEntry

WEEK_KEY_DAYS = 70
SCOPES = ("global", "course")
PERIODS = ("week", "all")


@dataclass(frozen=True)
class Board:
    scope: str  # "global" | "course"
    period: str  # "week" | "all"
    course_id: int | None = None
    week: str | None = None  # "2026-W48" for weekly boards

    def key(self) -> str:
        parts = [settings.CACHE_KEY_PREFIX, "gamification", "leaderboard", self.scope]
        if self.scope == "course":
            parts.append(str(self.course_id))
        parts.append(self.period if self.period == "all" else f"week:{self.week}")
        return ":".join(parts)


@dataclass(frozen=True)
class Row:
    user_id: int
    xp: int
    rank: int


def week_label(moment: datetime) -> str:
    year, week, _ = moment.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(label: str) -> tuple[datetime, datetime]:
    year, week = label.split("-W")
    start = datetime.combine(
        date.fromisocalendar(int(year), int(week), 1), datetime.min.time(), UTC
    )
    return start, start + timedelta(days=7)


def board_for(
    *, scope: str, period: str, course_id: int | None = None, at: datetime | None = None
) -> Board:
    week = week_label(at or timezone.now()) if period == "week" else None
    return Board(scope=scope, period=period, course_id=course_id, week=week)


def boards_touched(*, course_id: int | None, at: datetime) -> list[Board]:
    """The boards one ledger entry counts on."""
    boards = [board_for(scope="global", period=p, at=at) for p in PERIODS]
    if course_id is not None:
        boards += [board_for(scope="course", period=p, course_id=course_id, at=at) for p in PERIODS]
    return boards


class Leaderboard(Protocol):
    def record(self, *, user_id: int, amount: int, boards: list[Board]) -> None: ...
    def top(self, board: Board, limit: int) -> list[Row]: ...
    def rank(self, board: Board, user_id: int) -> Row | None: ...
    def remove(self, *, user_id: int, boards: list[Board]) -> None: ...


def _ledger_scores(board: Board):
    """{user_id: xp} for a board, from the ledger (hidden users left out)."""
    entries = XpLedgerEntry.objects.exclude(user__gamification__is_hidden_from_leaderboards=True)
    if board.scope == "course":
        entries = entries.filter(course_id=board.course_id)
    if board.period == "week" and board.week:
        start, end = week_bounds(board.week)
        entries = entries.filter(created_at__gte=start, created_at__lt=end)
    return entries.order_by().values("user_id").annotate(xp=Sum("amount"))


class DatabaseLeaderboard:
    """Boards computed by the database: one query for the top, two for a user's rank."""

    def record(self, *, user_id: int, amount: int, boards: list[Board]) -> None:
        return None  # the ledger row is the record

    def remove(self, *, user_id: int, boards: list[Board]) -> None:
        return None  # hidden users are filtered when reading

    def _scores(self, board: Board):
        if board.scope == "global" and board.period == "all":
            # The denormalised total is the all-time global board (indexed, no aggregation).
            return GamificationProfile.objects.filter(
                has_ledger_entries=True, is_hidden_from_leaderboards=False
            ).values("user_id", xp=F("xp_total"))
        return _ledger_scores(board)

    def top(self, board: Board, limit: int) -> list[Row]:
        scored = list(self._scores(board).order_by("-xp", "user_id")[:limit])
        rows: list[Row] = []
        for position, item in enumerate(scored):
            if position and item["xp"] == scored[position - 1]["xp"]:
                rank = rows[-1].rank
            else:
                rank = position + 1
            rows.append(Row(user_id=item["user_id"], xp=int(item["xp"]), rank=rank))
        return rows

    def rank(self, board: Board, user_id: int) -> Row | None:
        found = list(self._scores(board).filter(user_id=user_id)[:1])
        if not found:
            return None
        mine = found[0]
        higher = self._scores(board).filter(xp__gt=mine["xp"]).count()
        return Row(user_id=user_id, xp=int(mine["xp"]), rank=higher + 1)


class RedisLeaderboard:
    """Boards as Redis sorted sets (member: user id, score: XP)."""

    def __init__(self, client) -> None:
        self.client = client

    def record(self, *, user_id: int, amount: int, boards: list[Board]) -> None:
        pipe = self.client.pipeline(transaction=True)
        for board in boards:
            pipe.zincrby(board.key(), amount, str(user_id))
            if board.period == "week":
                pipe.expire(board.key(), timedelta(days=WEEK_KEY_DAYS))
        pipe.execute()

    def remove(self, *, user_id: int, boards: list[Board]) -> None:
        pipe = self.client.pipeline(transaction=True)
        for board in boards:
            pipe.zrem(board.key(), str(user_id))
        pipe.execute()

    def top(self, board: Board, limit: int) -> list[Row]:
        if limit <= 0:
            return []
        head = self.client.zrevrange(board.key(), 0, limit - 1, withscores=True)
        if not head:
            return []
        # Ties at the cut are ordered by user id, as in the database, not by Redis' member order.
        last_score = head[-1][1]
        above = [(int(m), int(s)) for m, s in head if s > last_score]
        tied = self.client.zrangebyscore(board.key(), last_score, last_score)
        tied_rows = sorted(int(m) for m in tied)[: limit - len(above)]
        ordered = sorted(above, key=lambda item: (-item[1], item[0]))
        ordered += [(user_id, int(last_score)) for user_id in tied_rows]
        rows: list[Row] = []
        for position, (user_id, xp) in enumerate(ordered):
            rank = rows[-1].rank if position and xp == rows[-1].xp else position + 1
            rows.append(Row(user_id=user_id, xp=xp, rank=rank))
        return rows

    def rank(self, board: Board, user_id: int) -> Row | None:
        score = self.client.zscore(board.key(), str(user_id))
        if score is None:
            return None
        higher = self.client.zcount(board.key(), f"({score}", "+inf")
        return Row(user_id=user_id, xp=int(score), rank=int(higher) + 1)

    def replace(self, board: Board, scores: dict[int, int]) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(board.key())
        if scores:
            pipe.zadd(board.key(), {str(user_id): xp for user_id, xp in scores.items()})
            if board.period == "week":
                pipe.expire(board.key(), timedelta(days=WEEK_KEY_DAYS))
        pipe.execute()


def leaderboard() -> Leaderboard:
    """Redis when REDIS_URL is configured, the database otherwise."""
    if settings.REDIS_URL:
        from django_redis import get_redis_connection

        return RedisLeaderboard(get_redis_connection("default"))
    return DatabaseLeaderboard()


def leaderboards_rebuild(*, weeks: int = 1, at: datetime | None = None) -> int:
    """Refill every Redis board (all time, and the last `weeks` weeks) from the ledger.

    Returns the number of boards written; does nothing on the database store.
    """
    store = leaderboard()
    if not isinstance(store, RedisLeaderboard):
        return 0
    now = at or timezone.now()
    week_labels = [week_label(now - timedelta(weeks=offset)) for offset in range(weeks)]
    course_ids = list(
        XpLedgerEntry.objects.exclude(course_id=None)
        .order_by()
        .values_list("course_id", flat=True)
        .distinct()
    )
    for pattern in ("global:*", "course:*"):
        prefix = f"{settings.CACHE_KEY_PREFIX}:gamification:leaderboard:{pattern}"
        for key in store.client.scan_iter(match=prefix):
            store.client.delete(key)
    boards = [Board(scope="global", period="all")]
    boards += [Board(scope="global", period="week", week=label) for label in week_labels]
    for course_id in course_ids:
        boards.append(Board(scope="course", period="all", course_id=course_id))
        boards += [
            Board(scope="course", period="week", course_id=course_id, week=label)
            for label in week_labels
        ]
    for board in boards:
        scores = {item["user_id"]: int(item["xp"]) for item in _ledger_scores(board)}
        store.replace(board, scores)
    return len(boards)
