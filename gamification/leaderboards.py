"""Leaderboards: Redis sorted sets when Redis is configured, the ledger in the database otherwise.

Both backends answer the same questions the same way: the top N of a board and a learner's own
position, ordered by XP (highest first) and then by user id (lowest first), with ranks 1, 2, 3...
Redis stores the *negated* XP as the score, so its natural order (score ascending, then member
ascending) is exactly that order; members are zero-padded user ids so ties sort numerically.

Boards: scope `global` or `course` (with its id), period `all` or `week` (the UTC ISO week starting
on `week_start`). Study-group boards rank the members' scores on the global board. Learners who
hide from leaderboards are never added (and are removed when they hide).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

GLOBAL = "global"
COURSE = "course"
ALL_TIME = "all"
WEEK = "week"
_PAD = 12


@dataclass(frozen=True)
class Board:
    scope: str = GLOBAL
    period: str = ALL_TIME
    course_id: int | None = None
    week_start: dt.date | None = None  # for WEEK; defaults to the current week

    def resolved(self) -> Board:
        if self.period == WEEK and self.week_start is None:
            return Board(self.scope, self.period, self.course_id, week_start_of(timezone.now()))
        return self

    @property
    def key(self) -> str:
        board = self.resolved()
        parts = ["lb", board.scope]
        if board.scope == COURSE:
            parts.append(str(board.course_id))
        parts.append(board.period)
        if board.period == WEEK:
            parts.append(board.week_start.isoformat())  # type: ignore[union-attr]  # resolved
        return ":".join(parts)


@dataclass(frozen=True)
class Standing:
    user_id: int
    xp: int
    rank: int


def week_start_of(moment: dt.datetime) -> dt.date:
    """Monday (UTC) of the week `moment` falls in: weekly boards run Monday to Sunday, UTC."""
    day = moment.astimezone(dt.UTC).date()
    return day - dt.timedelta(days=day.weekday())


def boards_for(*, course_id: int | None, at: dt.datetime) -> list[Board]:
    """Every board one XP transaction counts on."""
    week = week_start_of(at)
    boards = [Board(GLOBAL, ALL_TIME), Board(GLOBAL, WEEK, week_start=week)]
    if course_id is not None:
        boards += [Board(COURSE, ALL_TIME, course_id), Board(COURSE, WEEK, course_id, week)]
    return boards


class Backend(Protocol):
    def add(self, *, user_id: int, amount: int, boards: list[Board]) -> None: ...
    def top(self, board: Board, limit: int) -> list[Standing]: ...
    def standing(self, board: Board, user_id: int) -> Standing | None: ...
    def scores(self, board: Board, user_ids: list[int]) -> dict[int, int]: ...
    def remove(self, *, user_id: int) -> None: ...


# --- the database: sums over the ledger ---------------------------------------------------------


class DatabaseBackend:
    """Reads the ledger directly (the embedded default and the source of every rebuild)."""

    def add(self, *, user_id: int, amount: int, boards: list[Board]) -> None:
        return None  # the ledger row is the write

    def totals(self, board: Board) -> QuerySet[Any]:
        from gamification.models import XpTransaction

        board = board.resolved()
        rows = XpTransaction.objects.exclude(user__learner_stats__is_hidden_from_leaderboards=True)
        if board.scope == COURSE:
            rows = rows.filter(course_id=board.course_id)
        if board.period == WEEK:
            start = dt.datetime.combine(board.week_start, dt.time(), tzinfo=dt.UTC)  # type: ignore[arg-type]
            rows = rows.filter(created_at__gte=start, created_at__lt=start + dt.timedelta(days=7))
        return (
            rows.values("user_id")
            .annotate(xp=Sum("amount"))
            .filter(xp__gt=0)
            .order_by("-xp", "user_id")
        )

    def top(self, board: Board, limit: int) -> list[Standing]:
        rows = self.totals(board)[:limit]
        return [Standing(row["user_id"], row["xp"], index + 1) for index, row in enumerate(rows)]

    def standing(self, board: Board, user_id: int) -> Standing | None:
        totals = self.totals(board)
        own = totals.filter(user_id=user_id).first()
        if own is None:
            return None
        ahead = totals.filter(Q(xp__gt=own["xp"]) | Q(xp=own["xp"], user_id__lt=user_id)).count()
        return Standing(user_id, own["xp"], ahead + 1)

    def scores(self, board: Board, user_ids: list[int]) -> dict[int, int]:
        return {
            row["user_id"]: row["xp"] for row in self.totals(board).filter(user_id__in=user_ids)
        }

    def remove(self, *, user_id: int) -> None:
        return None


# --- Redis: one sorted set per board ------------------------------------------------------------


def _member(user_id: int) -> str:
    return str(user_id).zfill(_PAD)


class RedisBackend:
    """Sorted sets holding -XP per zero-padded user id; weekly sets expire five weeks later."""

    WEEK_TTL_SECONDS = 35 * 24 * 3600

    def __init__(self, client: Any, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def full_key(self, board: Board) -> str:
        return f"{self.prefix}:{board.key}"

    def add(self, *, user_id: int, amount: int, boards: list[Board]) -> None:
        pipeline = self.client.pipeline(transaction=True)
        for board in boards:
            key = self.full_key(board)
            pipeline.zincrby(key, -amount, _member(user_id))
            if board.period == WEEK:
                pipeline.expire(key, self.WEEK_TTL_SECONDS)
        pipeline.execute()

    def top(self, board: Board, limit: int) -> list[Standing]:
        key = self.full_key(board)
        # Scores below zero only: a learner whose XP on a board nets to zero is not on it.
        rows = self.client.zrangebyscore(key, "-inf", "(0", start=0, num=limit, withscores=True)
        return [
            Standing(int(member), int(-score), index + 1)
            for index, (member, score) in enumerate(rows)
        ]

    def standing(self, board: Board, user_id: int) -> Standing | None:
        key = self.full_key(board)
        pipeline = self.client.pipeline(transaction=False)
        pipeline.zscore(key, _member(user_id))
        pipeline.zrank(key, _member(user_id))
        score, rank = pipeline.execute()
        if score is None or score >= 0:
            return None
        return Standing(user_id, int(-score), int(rank) + 1)

    def scores(self, board: Board, user_ids: list[int]) -> dict[int, int]:
        if not user_ids:
            return {}
        values = self.client.zmscore(self.full_key(board), [_member(uid) for uid in user_ids])
        return {
            uid: int(-score)
            for uid, score in zip(user_ids, values, strict=True)
            if score is not None and score < 0
        }

    def remove(self, *, user_id: int) -> None:
        member = _member(user_id)
        for key in self.client.scan_iter(match=f"{self.prefix}:lb:*", count=500):
            self.client.zrem(key, member)

    def rebuild(self, boards: list[Board]) -> int:
        """Replace each board's set with the ledger's totals; returns the entries written."""
        database = DatabaseBackend()
        written = 0
        for board in boards:
            key = self.full_key(board)
            entries = {_member(row["user_id"]): -row["xp"] for row in database.totals(board)}
            pipeline = self.client.pipeline(transaction=True)
            pipeline.delete(key)
            if entries:
                pipeline.zadd(key, entries)
                if board.period == WEEK:
                    pipeline.expire(key, self.WEEK_TTL_SECONDS)
            pipeline.execute()
            written += len(entries)
        return written


def backend() -> DatabaseBackend | RedisBackend:
    """Redis when REDIS_URL is set (the production engine), else the database."""
    if getattr(settings, "REDIS_URL", ""):
        from django_redis import get_redis_connection

        # The cache's own key prefix, so test runs and deployments sharing a Redis never mix.
        prefix = cache.make_key("gamification")
        return RedisBackend(get_redis_connection("default"), prefix)
    return DatabaseBackend()
