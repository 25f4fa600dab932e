"""Reads for gamification pages and the API: stats, achievements with progress, boards."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.module_loading import import_string

from core.http import request_user_row
from gamification import leaderboards, leagues, levels, rules
from gamification.achievements import ACHIEVEMENTS, Achievement, Group, Metric
from gamification.models import (
    ActivityDay,
    LeaderboardSnapshot,
    LeagueMembership,
    LearnerStats,
    LevelUp,
    StudyGroup,
    StudyGroupMembership,
    UserAchievement,
    XpTransaction,
)
from gamification.rules import Action


def learner_stats_get(*, user: Any) -> LearnerStats:
    """The learner's stats, or an unsaved zero row for someone who has not earned XP yet."""
    return LearnerStats.objects.filter(user=user).first() or LearnerStats(user=user)


def request_user_with_stats(users: QuerySet[Any]) -> QuerySet[Any]:
    """settings.REQUEST_USER_LOADERS: the learner's stats row (XP, level, streaks), joined to the
    user's own query: the dashboard, progress, leaderboard and league pages read it."""
    return users.select_related("learner_stats")


def learner_stats_for_request(request: Any) -> LearnerStats:
    """The signed-in learner's stats as a page reads them: from the request's user when it was
    loaded with them (`request_user_with_stats`) and the request cannot have changed them since
    (a GET); otherwise `learner_stats_get`'s query."""
    loaded, stats = request_user_row(request, LearnerStats)
    if loaded:
        return stats or LearnerStats(user=request.user)
    return learner_stats_get(user=request.user)


def xp_quote_for(*, user: Any, action: str, course: Any = None, factor: int = 1) -> rules.XpQuote:
    """What `action` is worth to `user` now by the XP formula: their current streak, the
    course's difficulty and `factor` (for callers that post the amount themselves)."""
    return rules.xp_quote(
        action=action,
        difficulty=getattr(course, "difficulty", None),
        streak=learner_stats_get(user=user).current_streak,
        factor=factor,
    )


def _course_counts(user: Any) -> dict[str, int]:
    """What the learner did in courses, from courses' own tables (three queries)."""
    import zoneinfo

    from django.db.models.functions import ExtractHour

    from courses.models import Enrollment, LessonProgress, QuizAttempt

    try:
        zone = zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    lessons = (
        LessonProgress.objects.filter(learner=user, first_completed_at__isnull=False)
        .annotate(local_hour=ExtractHour("first_completed_at", tzinfo=zone))
        .aggregate(
            lessons=Count("id"),
            courses=Count("lesson__module__course", distinct=True),
            night=Count("id", filter=Q(local_hour__gte=22) | Q(local_hour__lt=5)),
            morning=Count("id", filter=Q(local_hour__gte=5, local_hour__lt=8)),
        )
    )
    quizzes = QuizAttempt.objects.filter(learner=user, submitted_at__isnull=False).aggregate(
        passed=Count("quiz", filter=Q(passed=True), distinct=True),
        perfect=Count("quiz", filter=Q(max_score__gt=0, score=F("max_score")), distinct=True),
    )
    return {
        Metric.LESSONS_COMPLETED: lessons["lessons"],
        Metric.COURSES_STARTED: lessons["courses"],
        Metric.NIGHT_LESSONS: lessons["night"],
        Metric.MORNING_LESSONS: lessons["morning"],
        Metric.QUIZZES_PASSED: quizzes["passed"],
        Metric.PERFECT_QUIZZES: quizzes["perfect"],
        Metric.COURSES_COMPLETED: Enrollment.objects.filter(
            learner=user, completed_at__isnull=False
        ).count(),
    }


def achievement_metrics(*, user: Any) -> dict[str, int]:
    """Every number an achievement rule compares with its threshold.

    Learning facts are counted from the tables that record them (courses' progress, attempts and
    enrollments here; revision, challenges and help-center awards by the apps named in
    settings.ACHIEVEMENT_METRIC_SOURCES), so a daily XP cap, which stops minting XP, never stops
    a badge's progress. Each count is never below the ledger's own count of the fact, so XP
    minted for something its app no longer holds (a lesson deleted after it was completed)
    keeps counting. A fixed number of queries."""
    ledger = XpTransaction.objects.filter(user=user).aggregate(
        lessons=Count("id", filter=Q(action=Action.LESSON_COMPLETED)),
        quizzes=Count("id", filter=Q(action=Action.QUIZ_PASSED)),
        perfect=Count("id", filter=Q(action=Action.QUIZ_PERFECT)),
        courses=Count("id", filter=Q(action=Action.COURSE_COMPLETED)),
        courses_started=Count("course", distinct=True),
        # One award is one answer rewarded, whatever its changes posted (its source is the award).
        rewarded=Count("source_id", filter=Q(action=Action.ANSWER_RATED), distinct=True),
        rewarded_xp=Sum("amount", filter=Q(action=Action.ANSWER_RATED)),
        challenges=Count("id", filter=Q(action=Action.CHALLENGE_COMPLETED)),
        reviews=Count("id", filter=Q(action=Action.REVIEW_DONE)),
        night=Count(
            "id",
            filter=Q(action=Action.LESSON_COMPLETED)
            & (Q(local_hour__gte=22) | Q(local_hour__lt=5)),
        ),
        morning=Count(
            "id", filter=Q(action=Action.LESSON_COMPLETED, local_hour__gte=5, local_hour__lt=8)
        ),
    )
    days = ActivityDay.objects.filter(user=user, is_frozen=False).aggregate(
        active=Count("id"), weekend=Count("id", filter=Q(date__iso_week_day__gte=6))
    )
    stats = learner_stats_get(user=user)
    groups = StudyGroupMembership.objects.filter(user=user).count()
    metrics = {
        Metric.LESSONS_COMPLETED: ledger["lessons"],
        Metric.QUIZZES_PASSED: ledger["quizzes"],
        Metric.PERFECT_QUIZZES: ledger["perfect"],
        Metric.COURSES_COMPLETED: ledger["courses"],
        Metric.COURSES_STARTED: ledger["courses_started"],
        Metric.ANSWERS_REWARDED: ledger["rewarded"],
        Metric.ANSWER_XP_RECEIVED: ledger["rewarded_xp"] or 0,
        Metric.CHALLENGES_COMPLETED: ledger["challenges"],
        Metric.REVIEWS_DONE: ledger["reviews"],
        Metric.NIGHT_LESSONS: ledger["night"],
        Metric.MORNING_LESSONS: ledger["morning"],
        Metric.ACTIVE_DAYS: days["active"],
        Metric.WEEKEND_DAYS: days["weekend"],
        Metric.LONGEST_STREAK: stats.longest_streak,
        Metric.LONGEST_WEEKLY_STREAK: stats.longest_weekly_streak,
        Metric.LEVEL: stats.level,
        Metric.TOTAL_XP: stats.total_xp,
        Metric.STUDY_GROUPS: groups,
    }
    sources = getattr(settings, "ACHIEVEMENT_METRIC_SOURCES", [])
    counts = [_course_counts(user), *(import_string(dotted)(user=user) for dotted in sources)]
    for source in counts:
        for metric, value in source.items():
            metrics[metric] = max(metrics.get(metric, 0), int(value))
    return metrics


@dataclass(frozen=True)
class AchievementStatus:
    achievement: Achievement
    earned_at: dt.datetime | None
    assertion_id: Any
    progress: int  # the metric, capped at the threshold

    @property
    def is_earned(self) -> bool:
        return self.earned_at is not None

    @property
    def percent(self) -> int:
        return int(self.progress * 100 / self.achievement.threshold)


def achievement_list_for_user(*, user: Any) -> list[AchievementStatus]:
    """Every achievement with the learner's progress: earned ones carry their date."""
    metrics = achievement_metrics(user=user)
    earned = {
        row.code: row
        for row in UserAchievement.objects.filter(user=user).only(
            "code", "earned_at", "assertion_id"
        )
    }
    statuses = []
    for achievement in ACHIEVEMENTS:
        row = earned.get(achievement.code)
        value = metrics.get(achievement.metric, 0)
        statuses.append(
            AchievementStatus(
                achievement=achievement,
                earned_at=row.earned_at if row else None,
                assertion_id=row.assertion_id if row else None,
                progress=achievement.threshold if row else min(value, achievement.threshold),
            )
        )
    return statuses


def achievement_groups(
    statuses: list[AchievementStatus],
) -> list[tuple[str, list[AchievementStatus]]]:
    """The statuses grouped for display, in the groups' own order."""
    return [
        (label, [s for s in statuses if s.achievement.group == group])
        for group, label in Group.LABELS.items()
    ]


def xp_history(*, user: Any, limit: int = 20) -> QuerySet[XpTransaction]:
    """The learner's latest ledger rows, with their course."""
    return XpTransaction.objects.filter(user=user).select_related("course")[:limit]


def activity_calendar(
    *, user: Any, days: int = 182, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """The last `days` days for the heat-map: date, XP and level 0-4 of each (one query)."""
    end = today or timezone.localdate()
    start = end - dt.timedelta(days=days - 1)
    rows = {
        row.date: row
        for row in ActivityDay.objects.filter(user=user, date__gte=start, date__lte=end)
    }
    cells = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        row = rows.get(day)
        xp = row.xp if row else 0
        intensity = 0 if row is None else (1 if xp < 20 else 2 if xp < 60 else 3 if xp < 150 else 4)
        cells.append(
            {"date": day, "xp": xp, "level": intensity, "is_frozen": bool(row and row.is_frozen)}
        )
    return cells


@dataclass(frozen=True)
class BoardRow:
    rank: int
    user_id: int
    display_name: str
    xp: int
    level: int
    is_me: bool


def _rows(standings: list[leaderboards.Standing], me: Any) -> list[BoardRow]:
    user_model = get_user_model()
    ids = [s.user_id for s in standings]
    users = {
        user.pk: user
        for user in user_model.objects.filter(pk__in=ids)
        .select_related("learner_stats")
        .only("id", "display_name", "email", "learner_stats__level")
    }
    rows = []
    for standing in standings:
        user = users.get(standing.user_id)
        if user is None:
            continue
        stats = getattr(user, "learner_stats", None)
        rows.append(
            BoardRow(
                rank=standing.rank,
                user_id=standing.user_id,
                display_name=user.display_name or f"Learner {user.pk}",
                xp=standing.xp,
                level=stats.level if stats else 1,
                is_me=me is not None and standing.user_id == me.pk,
            )
        )
    return rows


@dataclass(frozen=True)
class Leaderboard:
    rows: list[BoardRow]
    me: BoardRow | None  # the caller's own row, also when outside the top N


def leaderboard_get(*, board: leaderboards.Board, viewer: Any, limit: int = 10) -> Leaderboard:
    """The top `limit` of a board and the viewer's own standing (a fixed number of queries)."""
    board_backend = leaderboards.backend()
    top = board_backend.top(board, limit)
    own = board_backend.standing(board, viewer.pk) if viewer is not None else None
    standings = list(top)
    if own is not None and all(s.user_id != own.user_id for s in top):
        standings.append(own)
    rows = _rows(standings, viewer)
    top_rows = [
        row for row in rows if row.rank <= limit and any(s.user_id == row.user_id for s in top)
    ]
    me = next((row for row in rows if row.is_me), None)
    return Leaderboard(rows=top_rows, me=me)


def leaderboard_history_get(
    *, scope: str, week_start: dt.date, viewer: Any, course_id: int | None = None, limit: int = 10
) -> Leaderboard:
    """A settled week's board as it was recorded when the week closed (three queries)."""
    rows = LeaderboardSnapshot.objects.filter(scope=scope, week_start=week_start)
    if scope == leaderboards.COURSE:
        rows = rows.filter(course_id=course_id)
    top = [leaderboards.Standing(r.user_id, r.xp, r.rank) for r in rows.order_by("rank")[:limit]]
    own = rows.filter(user_id=viewer.pk).first() if viewer is not None else None
    standings = list(top)
    if own is not None and all(s.user_id != own.user_id for s in top):
        standings.append(leaderboards.Standing(own.user_id, own.xp, own.rank))
    board_rows = _rows(standings, viewer)
    top_ids = {s.user_id for s in top}
    return Leaderboard(
        rows=[row for row in board_rows if row.user_id in top_ids],
        me=next((row for row in board_rows if row.is_me), None),
    )


def study_group_leaderboard(
    *, group: StudyGroup, viewer: Any, period: str, week_start: dt.date | None = None
) -> Leaderboard:
    """A study group's members ranked by their XP on the global board of `period` (and week)."""
    member_ids = list(group.memberships.values_list("user_id", flat=True))
    board = leaderboards.Board(leaderboards.GLOBAL, period, week_start=week_start).resolved()
    scores = leaderboards.backend().scores(board, member_ids)
    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    standings = [
        leaderboards.Standing(user_id, xp, index + 1) for index, (user_id, xp) in enumerate(ordered)
    ]
    rows = _rows(standings, viewer)
    return Leaderboard(rows=rows, me=next((row for row in rows if row.is_me), None))


def study_group_list_for_user(*, user: Any) -> QuerySet[StudyGroup]:
    return (
        StudyGroup.objects.filter(memberships__user=user)
        .annotate(member_count=Count("memberships"))
        .order_by("name", "id")
    )


def level_up_history(*, user: Any, limit: int = 10) -> QuerySet[LevelUp]:
    """The learner's latest level-ups, highest first."""
    return LevelUp.objects.filter(user=user).order_by("-level")[:limit]


def level_progress_for(*, user: Any, stats: LearnerStats | None = None) -> levels.LevelProgress:
    return levels.level_progress((stats or learner_stats_get(user=user)).total_xp)


# --- weekly leagues ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeagueRow:
    rank: int
    user_id: int
    display_name: str
    xp: int
    zone: str
    is_me: bool


@dataclass(frozen=True)
class LeagueHistoryRow:
    week_start: dt.date
    tier: int
    tier_name: str
    final_rank: int | None
    cohort_size: int
    result: str
    result_label: str


@dataclass(frozen=True)
class LeagueView:
    tier: int
    tier_name: str
    week_start: dt.date
    rows: list[LeagueRow]  # this week's cohort, ranked; empty before the week's first XP
    promoted_count: int
    demoted_count: int
    me: LeagueRow | None
    history: list[LeagueHistoryRow]


def league_get(
    *,
    user: Any,
    stats: LearnerStats | None = None,
    now: dt.datetime | None = None,
    history: int = 10,
) -> LeagueView:
    """The learner's league: tier, this week's cohort with its zones, and past weeks (3 queries)."""
    week = leaderboards.week_start_of(now or timezone.now())
    stats = stats or learner_stats_get(user=user)
    memberships = list(
        LeagueMembership.objects.filter(user=user)
        .select_related("cohort")
        .order_by("-week_start")[: history + 1]
    )
    current = next((m for m in memberships if m.week_start == week), None)
    rows: list[LeagueRow] = []
    promoted = demoted = 0
    tier = current.tier if current else stats.league_tier
    if current is not None:
        members = list(
            LeagueMembership.objects.filter(cohort_id=current.cohort_id)
            .select_related("user__learner_stats")
            .only(
                "user_id",
                "xp",
                "user__display_name",
                "user__learner_stats__is_hidden_from_leaderboards",
            )
            .order_by("-xp", "user_id")
        )
        size = len(members)
        promoted, demoted = leagues.zone_sizes(size=size, tier=tier)
        for rank, member in enumerate(members, start=1):
            member_stats = getattr(member.user, "learner_stats", None)
            hidden = member_stats is not None and member_stats.is_hidden_from_leaderboards
            is_me = member.user_id == user.pk
            name = member.user.display_name or f"Learner {member.user_id}"
            rows.append(
                LeagueRow(
                    rank=rank,
                    user_id=member.user_id,
                    display_name="A hidden learner" if hidden and not is_me else name,
                    xp=member.xp,
                    zone=leagues.zone_for(rank=rank, size=size, tier=tier, xp=member.xp),
                    is_me=is_me,
                )
            )
    past = [m for m in memberships if m.week_start != week][:history]
    return LeagueView(
        tier=tier,
        tier_name=leagues.tier_name(tier),
        week_start=week,
        rows=rows,
        promoted_count=promoted,
        demoted_count=demoted,
        me=next((row for row in rows if row.is_me), None),
        history=[
            LeagueHistoryRow(
                week_start=m.week_start,
                tier=m.tier,
                tier_name=leagues.tier_name(m.tier),
                final_rank=m.final_rank,
                cohort_size=m.cohort.member_count,
                result=m.result,
                result_label=m.get_result_display() if m.result else "Not settled yet",
            )
            for m in past
        ],
    )
