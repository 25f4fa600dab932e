"""Reads: stats, achievements with progress, leaderboards with names, history, the calendar."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from gamification import achievements as catalogue
from gamification import rules
from gamification.exceptions import InvalidLeaderboardError
from gamification.leaderboard import PERIODS, SCOPES, Row, board_for, leaderboard
from gamification.models import ActivityDay, EarnedAchievement, GamificationProfile, XpLedgerEntry
from gamification.services import local_datetime, metric_values, streak_is_broken

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def profile_get(user: User) -> GamificationProfile:
    """The user's profile, or an unsaved empty one (reading never writes)."""
    return GamificationProfile.objects.filter(user=user).first() or GamificationProfile(user=user)


def weekly_streak(user: User, today: date) -> int:
    """Consecutive ISO weeks with at least one learning day, ending this week or last week."""
    since = today - timedelta(weeks=104)
    days = ActivityDay.objects.filter(user=user, date__gte=since, is_frozen=False).values_list(
        "date", flat=True
    )
    weeks = {day - timedelta(days=day.weekday()) for day in days}
    monday = today - timedelta(days=today.weekday())
    if monday not in weeks:
        monday -= timedelta(weeks=1)
    count = 0
    while monday in weeks:
        count += 1
        monday -= timedelta(weeks=1)
    return count


def stats_get(user: User, *, at: datetime | None = None) -> dict[str, Any]:
    """XP, level and progress to the next, streaks (a broken streak shows 0), global ranks."""
    profile = profile_get(user)
    today = local_datetime(user, at or timezone.now()).date()
    progress = rules.level_progress(profile.xp_total)
    current = 0 if streak_is_broken(profile, today) else profile.current_streak
    store = leaderboard()
    ranks = {}
    for period in PERIODS:
        row = None
        if not profile.is_hidden_from_leaderboards:
            row = store.rank(board_for(scope="global", period=period, at=at), user.pk)
        ranks[period] = row.rank if row else None
    return {
        "xp": profile.xp_total,
        "level": progress.level,
        "title": progress.title,
        "level_floor_xp": progress.level_floor,
        "next_level_xp": progress.next_level_xp,
        "xp_to_next_level": (progress.next_level_xp - profile.xp_total)
        if progress.next_level_xp is not None
        else 0,
        "progress_percent": progress.percent,
        "unlocks": rules.level_unlocks(progress.level),
        "current_streak": current,
        "longest_streak": profile.longest_streak,
        "weekly_streak": weekly_streak(user, today),
        "streak_freezes": profile.streak_freezes,
        "active_days": profile.active_days,
        "rank_week": ranks["week"],
        "rank_all": ranks["all"],
        "is_hidden_from_leaderboards": profile.is_hidden_from_leaderboards,
    }


@dataclass
class AchievementStatus:
    achievement: catalogue.Achievement
    value: int
    earned: EarnedAchievement | None = None
    progress_percent: int = field(init=False)

    def __post_init__(self) -> None:
        shown = min(self.value, self.achievement.threshold)
        self.value = shown
        self.progress_percent = 100 if self.earned else shown * 100 // self.achievement.threshold


def achievement_list_for_user(user: User | None) -> list[AchievementStatus]:
    """Every achievement, with the user's progress and the earned ones marked (3 queries)."""
    if user is None or not user.is_authenticated:
        return [AchievementStatus(a, 0) for a in catalogue.ACHIEVEMENTS]
    values = metric_values(user)
    earned = {e.code: e for e in EarnedAchievement.objects.filter(user=user)}
    return [
        AchievementStatus(a, values.get(a.metric, 0), earned.get(a.code))
        for a in catalogue.ACHIEVEMENTS
    ]


def ledger_list_for_user(user: User) -> QuerySet[XpLedgerEntry]:
    """The user's XP history, newest first, with the course's title."""
    return XpLedgerEntry.objects.filter(user=user).select_related("course")


def calendar_for_user(user: User, *, days: int = 182, at: datetime | None = None) -> list[dict]:
    """The last `days` local days with their XP (the heat-map), oldest first."""
    today = local_datetime(user, at or timezone.now()).date()
    start = today - timedelta(days=days - 1)
    known = {
        day.date: day
        for day in ActivityDay.objects.filter(user=user, date__gte=start, date__lte=today)
    }
    cells = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        record = known.get(day)
        xp = record.xp if record else 0
        level = 0 if not record else (4 if xp >= 100 else 3 if xp >= 50 else 2 if xp >= 20 else 1)
        cells.append(
            {"date": day, "xp": xp, "level": level, "is_frozen": bool(record and record.is_frozen)}
        )
    return cells


@dataclass
class LeaderboardRow:
    rank: int
    xp: int
    user_id: int
    name: str
    level: int
    is_me: bool = False


@dataclass
class LeaderboardPage:
    scope: str
    period: str
    course_id: int | None
    week: str | None
    rows: list[LeaderboardRow]
    me: LeaderboardRow | None


def leaderboard_get(
    *,
    viewer: User | None,
    scope: str,
    period: str,
    course_id: int | None = None,
    limit: int = DEFAULT_LIMIT,
    at: datetime | None = None,
) -> LeaderboardPage:
    """A board's top `limit` with names and levels, plus the viewer's own row even below the top.

    A fixed number of queries whatever the number of users.
    """
    if scope not in SCOPES:
        raise InvalidLeaderboardError(
            "scope must be global or course.", fields={"scope": ["Must be global or course."]}
        )
    if period not in PERIODS:
        raise InvalidLeaderboardError(
            "period must be week or all.", fields={"period": ["Must be week or all."]}
        )
    if scope == "course" and course_id is None:
        raise InvalidLeaderboardError(
            "A course leaderboard needs a course.", fields={"course": ["This field is required."]}
        )
    if scope == "global":
        course_id = None
    limit = max(1, min(limit, MAX_LIMIT))
    board = board_for(scope=scope, period=period, course_id=course_id, at=at)
    store = leaderboard()
    top: list[Row] = store.top(board, limit)
    me_row: Row | None = None
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    if viewer_id is not None and all(row.user_id != viewer_id for row in top):
        me_row = store.rank(board, viewer_id)
    ids = [row.user_id for row in top] + ([me_row.user_id] if me_row else [])
    users = {
        user.pk: user for user in User.objects.filter(pk__in=ids).select_related("gamification")
    }

    def shape(row: Row) -> LeaderboardRow:
        user = users.get(row.user_id)
        profile = getattr(user, "gamification", None) if user else None
        name = user.name if user else "Unknown"
        return LeaderboardRow(
            rank=row.rank,
            xp=row.xp,
            user_id=row.user_id,
            name=name,
            level=profile.level if profile else 1,
            is_me=row.user_id == viewer_id,
        )

    rows = [shape(row) for row in top if row.user_id in users]
    return LeaderboardPage(
        scope=scope,
        period=period,
        course_id=course_id,
        week=board.week,
        rows=rows,
        me=shape(me_row) if me_row and me_row.user_id in users else None,
    )
