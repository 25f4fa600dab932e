"""Writes to gamification: XP awards, streaks, achievements, study groups and leaderboards."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from gamification import events, leaderboards, leagues, levels, rules
from gamification.achievements import ACHIEVEMENTS
from gamification.exceptions import (
    GrantNotAllowedError,
    InvalidAwardError,
    LeagueCohortBusyError,
    LevelTooLowError,
    NotEnoughXpError,
    StudyGroupFullError,
    StudyGroupLimitError,
    StudyGroupNotFoundError,
)
from gamification.models import (
    TUNABLE_ACTION_CHOICES,
    ActivityDay,
    LeagueCohort,
    LeagueMembership,
    LearnerStats,
    LevelUp,
    StudyGroup,
    StudyGroupMembership,
    UserAchievement,
    XpActionSetting,
    XpDifficultySetting,
    XpSettings,
    XpTransaction,
)
from gamification.rules import Action

logger = logging.getLogger(__name__)

MAX_GRANT = 1000
GROUPS_BEFORE_LEVEL_30 = 1


@dataclass(frozen=True)
class XpAwardResult:
    transaction: XpTransaction
    created: bool


def local_moment(user: Any, at: dt.datetime) -> dt.datetime:
    """`at` in the learner's own time zone (UTC if theirs is unknown)."""
    try:
        zone = zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return at.astimezone(zone)


def _stats_locked(user: Any) -> LearnerStats:
    LearnerStats.objects.get_or_create(user=user)
    return LearnerStats.objects.select_for_update().get(user=user)


def _source_fields(source: Any) -> dict[str, Any]:
    if source is None or getattr(source, "pk", None) is None:
        return {"source_type": None, "source_id": None}
    return {"source_type": ContentType.objects.get_for_model(source), "source_id": source.pk}


def xp_award(
    *,
    user: Any,
    action: str,
    idempotency_key: str,
    course: Any = None,
    source: Any = None,
    amount: int | None = None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> XpAwardResult | None:
    """Mint XP once per idempotency key: the formula's amount unless `amount` is given.

    The daily cap per action trims an award to what is left of the learner's day; an award
    trimmed to nothing records nothing (and returns None). Repeating a key returns the first
    transaction with `created=False`, whatever the amount asked the second time.
    """
    if not idempotency_key or len(idempotency_key) > 200:
        raise InvalidAwardError("An idempotency key of 1 to 200 characters is required.")
    existing = XpTransaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return XpAwardResult(existing, created=False)
    moment = at or timezone.now()
    local = local_moment(user, moment)
    try:
        with transaction.atomic():
            stats = _stats_locked(user)
            if amount is None:
                difficulty = getattr(course, "difficulty", None)
                amount = rules.xp_quote(
                    action=action, difficulty=difficulty, streak=stats.current_streak
                ).amount
            cap = rules.daily_cap(action)
            if cap is not None and amount > 0:
                minted_today = (
                    XpTransaction.objects.filter(
                        user=user, action=action, local_date=local.date()
                    ).aggregate(total=Sum("amount"))["total"]
                    or 0
                )
                amount = max(0, min(amount, cap - minted_today))
            if amount == 0:
                return None
            row = XpTransaction.objects.create(
                user=user,
                action=action,
                amount=amount,
                reason=reason[:200],
                course=course,
                idempotency_key=idempotency_key,
                local_date=local.date(),
                local_hour=local.hour,
                created_at=moment,
                **_source_fields(source),
            )
            _stats_apply(stats, amount=amount, at=moment)
            day_total = _activity_add(user=user, day=local.date(), amount=amount)
            _league_add(stats=stats, amount=amount, at=moment)
    except IntegrityError:
        # The same key won a race with us; its transaction is the one that counts.
        return XpAwardResult(XpTransaction.objects.get(idempotency_key=idempotency_key), False)
    hidden = stats.is_hidden_from_leaderboards
    transaction.on_commit(
        functools.partial(_after_award, user_id=user.pk, row_id=row.pk, hidden=hidden)
    )
    transaction.on_commit(
        functools.partial(
            events.xp_awarded.send,
            sender=XpTransaction,
            user=user,
            transaction=row,
            day_total=day_total,
        )
    )
    return XpAwardResult(row, created=True)


def _stats_apply(stats: LearnerStats, *, amount: int, at: dt.datetime) -> None:
    """Add `amount` to a locked stats row: level, level-ups and earned streak freezes follow."""
    previous_level = stats.level
    stats.total_xp = F("total_xp") + amount
    stats.save(update_fields=["total_xp", "updated_at"])
    stats.refresh_from_db(fields=["total_xp"])
    stats.level = levels.level_for_xp(stats.total_xp)
    every = int(rules.table("FREEZE_EVERY_XP"))
    earned = max(stats.total_xp, 0) // every if every > 0 else 0
    if earned > stats.streak_freezes_earned:
        cap = int(rules.table("FREEZE_CAP"))
        gained = earned - stats.streak_freezes_earned
        stats.streak_freezes = min(cap, stats.streak_freezes + gained)
        stats.streak_freezes_earned = earned
    stats.save(update_fields=["level", "streak_freezes", "streak_freezes_earned", "updated_at"])
    if stats.level > previous_level:
        new_levels = range(previous_level + 1, stats.level + 1)
        LevelUp.objects.bulk_create(
            [LevelUp(user_id=stats.user_id, level=level, reached_at=at) for level in new_levels],
            ignore_conflicts=True,
        )
        for level in new_levels:
            transaction.on_commit(
                functools.partial(
                    events.level_reached.send,
                    sender=LearnerStats,
                    user=stats.user,
                    level=level,
                    title=levels.title_for_level(level),
                )
            )


def _activity_add(*, user: Any, day: dt.date, amount: int) -> int:
    """Add an award to the learner's local day; returns the day's XP (this award included)."""
    ActivityDay.objects.get_or_create(user=user, date=day)
    ActivityDay.objects.filter(user=user, date=day).update(xp=F("xp") + amount)
    return int(ActivityDay.objects.filter(user=user, date=day).values_list("xp", flat=True)[0])


def _after_award(*, user_id: int, row_id: int, hidden: bool) -> None:
    from gamification import tasks

    if not hidden:
        row = XpTransaction.objects.get(pk=row_id)
        leaderboards.backend().add(
            user_id=user_id,
            amount=row.amount,
            boards=leaderboards.boards_for(course_id=row.course_id, at=row.created_at),
        )
    tasks.achievements_evaluate.delay(user_id)


@transaction.atomic
def activity_record(*, user: Any, at: dt.datetime | None = None) -> LearnerStats:
    """A learner learned at `at`: extend (or restart) their daily and weekly streaks.

    Days are the learner's own local days. A gap of missed days is bridged by streak freezes
    when they have enough; the first activity of each new day also awards the streak-day XP.
    """
    moment = at or timezone.now()
    today = local_moment(user, moment).date()
    stats = _stats_locked(user)
    last = stats.last_active_date
    if last is not None and today <= last:
        return stats  # already counted today (or a late event for an earlier day)
    if last is None:
        stats.current_streak = 1
    else:
        missed = (today - last).days - 1
        if missed == 0:
            stats.current_streak += 1
        elif 0 < missed <= stats.streak_freezes:
            stats.streak_freezes -= missed
            stats.current_streak += 1
            ActivityDay.objects.bulk_create(
                [
                    ActivityDay(user=user, date=last + dt.timedelta(days=offset), is_frozen=True)
                    for offset in range(1, missed + 1)
                ],
                ignore_conflicts=True,
            )
        else:
            stats.current_streak = 1
    stats.longest_streak = max(stats.longest_streak, stats.current_streak)
    stats.last_active_date = today
    monday = today - dt.timedelta(days=today.weekday())
    if stats.last_active_week != monday:
        previous = stats.last_active_week
        if previous is not None and (monday - previous).days == 7:
            stats.current_weekly_streak += 1
        else:
            stats.current_weekly_streak = 1
        stats.last_active_week = monday
        stats.longest_weekly_streak = max(stats.longest_weekly_streak, stats.current_weekly_streak)
    stats.save()
    ActivityDay.objects.get_or_create(user=user, date=today)
    xp_award(
        user=user,
        action=Action.STREAK_DAY,
        idempotency_key=f"streak:{user.pk}:{today.isoformat()}",
        at=moment,
        reason=f"Day {stats.current_streak} of your streak",
    )
    return stats


def achievements_evaluate(*, user: Any) -> list[UserAchievement]:
    """Unlock every achievement whose metric has reached its threshold (each at most once)."""
    from gamification.selectors import achievement_metrics

    metrics = achievement_metrics(user=user)
    earned = set(UserAchievement.objects.filter(user=user).values_list("code", flat=True))
    due = [
        achievement
        for achievement in ACHIEVEMENTS
        if achievement.code not in earned
        and metrics.get(achievement.metric, 0) >= achievement.threshold
    ]
    if not due:
        return []
    now = timezone.now()
    with transaction.atomic():
        UserAchievement.objects.bulk_create(
            [UserAchievement(user=user, code=a.code, earned_at=now) for a in due],
            ignore_conflicts=True,
        )
        created = list(
            UserAchievement.objects.filter(user=user, code__in=[a.code for a in due], earned_at=now)
        )
    by_code = {a.code: a for a in due}
    for row in created:
        transaction.on_commit(
            functools.partial(
                events.achievement_unlocked.send,
                sender=UserAchievement,
                user=user,
                achievement=by_code[row.code],
                user_achievement=row,
            )
        )
    return created


def xp_grant(
    *, granter: Any, user: Any, amount: int, reason: str, idempotency_key: str, course: Any = None
) -> XpAwardResult:
    """A manual grant by staff, or by an instructor to a learner of one of their courses."""
    from core.roles import Role

    role = getattr(granter, "role", None)
    if role not in (Role.ADMIN, Role.INSTRUCTOR) and not granter.is_superuser:
        raise GrantNotAllowedError("Only staff and instructors can grant XP.")
    if role == Role.INSTRUCTOR and not granter.is_superuser:
        if course is None or not course.instructors.filter(pk=granter.pk).exists():
            raise GrantNotAllowedError("Instructors grant XP within one of their own courses.")
        if not course.enrollments.filter(learner=user).exists():
            raise InvalidAwardError(
                "This learner is not enrolled in that course.",
                fields={"user": ["This learner is not enrolled in that course."]},
            )
    if (
        not isinstance(amount, int)
        or isinstance(amount, bool)
        or not -MAX_GRANT <= amount <= MAX_GRANT
        or amount == 0
    ):
        raise InvalidAwardError(
            f"The amount must be a whole number from -{MAX_GRANT} to {MAX_GRANT}, not zero.",
            fields={"amount": [f"A whole number from -{MAX_GRANT} to {MAX_GRANT}, not zero."]},
        )
    if not reason.strip():
        raise InvalidAwardError(
            "Say why the XP is granted.", fields={"reason": ["This field is required."]}
        )
    result = xp_award(
        user=user,
        action=Action.MANUAL_GRANT,
        idempotency_key=f"grant:{idempotency_key}",
        course=course,
        amount=amount,
        reason=reason.strip(),
    )
    if result is None:  # grants have no daily cap, so this cannot happen
        raise InvalidAwardError("The grant could not be recorded.")
    return result


@transaction.atomic
def xp_spend(
    *,
    user: Any,
    action: str,
    amount: int,
    idempotency_key: str,
    minimum_level: int = 1,
    reason: str = "",
    source: Any = None,
) -> XpAwardResult:
    """Take `amount` of the learner's own XP out through the ledger (a negative row, once per
    key), refused below `minimum_level` and beyond the XP they hold; the level follows the new
    total. The stats row stays locked from the checks to the write, so two spends cannot both
    pass on the same XP."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidAwardError(
            "The amount must be a whole number above 0.",
            fields={"amount": ["A whole number above 0."]},
        )
    existing = XpTransaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return XpAwardResult(existing, created=False)
    stats = _stats_locked(user)
    if stats.level < minimum_level:
        raise LevelTooLowError(
            f"This unlocks at level {minimum_level}; you are level {stats.level}.",
            extra={"level": stats.level, "required_level": minimum_level},
        )
    if stats.total_xp < amount:
        raise NotEnoughXpError(
            f"You have {stats.total_xp} XP, fewer than the {amount} XP this needs.",
            extra={"total_xp": stats.total_xp},
        )
    result = xp_award(
        user=user,
        action=action,
        idempotency_key=idempotency_key,
        amount=-amount,
        reason=reason,
        source=source,
    )
    # A daily cap only trims positive awards: a spend (negative) is never trimmed to nothing.
    assert result is not None  # noqa: S101  # narrows the type; see the comment above
    return result


@transaction.atomic
def leaderboard_visibility_set(*, user: Any, hidden: bool) -> LearnerStats:
    """Hide a learner from (or show them on) every public leaderboard."""
    stats = _stats_locked(user)
    if stats.is_hidden_from_leaderboards == hidden:
        return stats
    stats.is_hidden_from_leaderboards = hidden
    stats.save(update_fields=["is_hidden_from_leaderboards", "updated_at"])
    transaction.on_commit(functools.partial(_visibility_sync, user_id=user.pk, hidden=hidden))
    return stats


def _visibility_sync(*, user_id: int, hidden: bool) -> None:
    board_backend = leaderboards.backend()
    if isinstance(board_backend, leaderboards.RedisBackend):
        if hidden:
            board_backend.remove(user_id=user_id)
        else:
            board_backend.rebuild(leaderboards_current(user_id=user_id))


def leaderboards_current(*, user_id: int | None = None) -> list[leaderboards.Board]:
    """The boards that are live now: global and every course with XP, all time and this week."""
    rows = XpTransaction.objects.exclude(course=None)
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    course_ids = sorted(set(rows.values_list("course_id", flat=True)))
    week = leaderboards.week_start_of(timezone.now())
    boards = [
        leaderboards.Board(leaderboards.GLOBAL, leaderboards.ALL_TIME),
        leaderboards.Board(leaderboards.GLOBAL, leaderboards.WEEK, week_start=week),
    ]
    for course_id in course_ids:
        boards.append(leaderboards.Board(leaderboards.COURSE, leaderboards.ALL_TIME, course_id))
        boards.append(leaderboards.Board(leaderboards.COURSE, leaderboards.WEEK, course_id, week))
    return boards


def leaderboards_rebuild() -> int:
    """Rebuild every live Redis board from the ledger; returns the entries written (0: no Redis)."""
    board_backend = leaderboards.backend()
    if not isinstance(board_backend, leaderboards.RedisBackend):
        return 0
    return board_backend.rebuild(leaderboards_current())


@transaction.atomic
def weekly_boards_settle(*, week_start: dt.date, keep: int = 100) -> int:
    """Record the closed week's global and course boards (top `keep` of each) as history."""
    from gamification.models import LeaderboardSnapshot

    if week_start >= leaderboards.week_start_of(timezone.now()):
        raise InvalidAwardError("Only a week that has ended can be settled.")
    database = leaderboards.DatabaseBackend()
    start = dt.datetime.combine(week_start, dt.time(), tzinfo=dt.UTC)
    course_ids = set(
        XpTransaction.objects.filter(
            created_at__gte=start, created_at__lt=start + dt.timedelta(days=7)
        )
        .exclude(course=None)
        .values_list("course_id", flat=True)
    )
    global_board = leaderboards.Board(leaderboards.GLOBAL, leaderboards.WEEK, week_start=week_start)
    snapshots = [
        LeaderboardSnapshot(
            scope="global", week_start=week_start, user_id=s.user_id, rank=s.rank, xp=s.xp
        )
        for s in database.top(global_board, keep)
    ]
    for course_id in sorted(course_ids):
        board = leaderboards.Board(leaderboards.COURSE, leaderboards.WEEK, course_id, week_start)
        snapshots += [
            LeaderboardSnapshot(
                scope="course",
                course_id=course_id,
                week_start=week_start,
                user_id=s.user_id,
                rank=s.rank,
                xp=s.xp,
            )
            for s in database.top(board, keep)
        ]
    LeaderboardSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True)
    return len(snapshots)


def streaks_check(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """End the streaks that a missed day broke beyond the learner's freezes (in their own time).

    Streaks grow when a learner learns; this beat job makes the numbers on pages and boards true
    for learners who stopped: a daily streak whose gap is longer than the freezes held goes to 0,
    and a weekly streak goes to 0 once a whole week passed without learning. Returns rows changed.
    """
    moment = now or timezone.now()
    # Anyone whose last day is before yesterday in the most advanced time zone (UTC+14).
    latest_possible = (moment + dt.timedelta(hours=14)).date() - dt.timedelta(days=1)
    candidates = (
        LearnerStats.objects.filter(last_active_date__lt=latest_possible)
        .filter(Q(current_streak__gt=0) | Q(current_weekly_streak__gt=0))
        .select_related("user")
        .order_by("pk")
    )
    changed = 0
    last_pk = None
    while True:
        page = candidates if last_pk is None else candidates.filter(pk__gt=last_pk)
        rows = list(page[:batch])
        if not rows:
            return changed
        last_pk = rows[-1].pk
        for stats in rows:
            today = local_moment(stats.user, moment).date()
            missed = (today - stats.last_active_date).days - 1  # type: ignore[operator]
            monday = today - dt.timedelta(days=today.weekday())
            daily_broken = stats.current_streak > 0 and missed > stats.streak_freezes
            weekly_broken = (
                stats.current_weekly_streak > 0
                and stats.last_active_week is not None
                and (monday - stats.last_active_week).days > 7
            )
            if daily_broken or weekly_broken:
                changed += LearnerStats.objects.filter(
                    pk=stats.pk, last_active_date=stats.last_active_date
                ).update(
                    current_streak=0 if daily_broken else F("current_streak"),
                    current_weekly_streak=0 if weekly_broken else F("current_weekly_streak"),
                )


# A learner whose streak breaks tonight hears about it from this local hour on (18:00), once.
STREAK_REMINDER_HOUR = 18


def streak_risks_announce(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Publish `streak_at_risk` for every learner whose daily streak ends with their local day
    unless they learn before midnight (today is the last day their freezes can bridge) and who
    has not learned today, from STREAK_REMINDER_HOUR of their day on; once per learner and
    local day. Returns how many were published now."""
    moment = now or timezone.now()
    freeze_cap = int(rules.table("FREEZE_CAP"))
    # Every local "today" on Earth lies between UTC-12 and UTC+14; the last active day of a
    # learner at risk is 1 + their freezes (at most the cap) days before it.
    earliest = (moment - dt.timedelta(hours=12)).date() - dt.timedelta(days=1 + freeze_cap)
    latest = (moment + dt.timedelta(hours=14)).date() - dt.timedelta(days=1)
    candidates = (
        LearnerStats.objects.filter(
            current_streak__gt=0, last_active_date__gte=earliest, last_active_date__lte=latest
        )
        .select_related("user")
        .order_by("pk")
    )
    published = 0
    last_pk = None
    while True:
        page = candidates if last_pk is None else candidates.filter(pk__gt=last_pk)
        rows = list(page[:batch])
        if not rows:
            return published
        last_pk = rows[-1].pk
        for stats in rows:
            local = local_moment(stats.user, moment)
            today = local.date()
            if local.hour < STREAK_REMINDER_HOUR or not stats.user.is_active:
                continue
            if (today - stats.last_active_date).days != stats.streak_freezes + 1:  # type: ignore[operator]
                continue  # learned today, already broken, or a freeze still bridges tonight
            # Once per learner and day however often the check runs (Redis in production).
            if not cache.add(f"gamification:streak-risk:{stats.user_id}:{today}", 1, 2 * 86400):
                continue
            published += 1
            transaction.on_commit(
                functools.partial(
                    events.streak_at_risk.send,
                    sender=LearnerStats,
                    user=stats.user,
                    streak=stats.current_streak,
                    local_date=today,
                )
            )


# --- the XP table in the admin --------------------------------------------------------------------


@transaction.atomic
def xp_settings_get_or_create() -> XpSettings:
    """The admin's XP table; the first time, filled with the values in force from settings."""
    from courses.models import Course

    table, created = XpSettings.objects.select_for_update().get_or_create(
        pk=1,
        defaults={
            "streak_bonus_per_day": int(rules.table_from_settings("STREAK_BONUS_PER_DAY")),
            "streak_bonus_cap": int(rules.table_from_settings("STREAK_BONUS_CAP")),
            "freeze_every_xp": int(rules.table_from_settings("FREEZE_EVERY_XP")),
            "freeze_cap": int(rules.table_from_settings("FREEZE_CAP")),
        },
    )
    if created:
        bases = rules.table_from_settings("XP_BASE")
        caps = rules.table_from_settings("DAILY_CAP")
        multipliers = rules.table_from_settings("DIFFICULTY_MULTIPLIER")
        XpActionSetting.objects.bulk_create(
            [
                XpActionSetting(
                    table=table,
                    action=action,
                    base=int(bases.get(action, 0)),
                    daily_cap=caps.get(action),
                )
                for action, _ in TUNABLE_ACTION_CHOICES
            ]
        )
        XpDifficultySetting.objects.bulk_create(
            [
                XpDifficultySetting(
                    table=table,
                    difficulty=difficulty,
                    multiplier=Decimal(str(multipliers.get(difficulty, 1.0))),
                )
                for difficulty in Course.Difficulty.values
            ]
        )
        transaction.on_commit(rules.forget_stored_table)
    return table


def xp_settings_saved() -> None:
    """An admin saved the XP table: awards use it from the moment the save commits."""
    transaction.on_commit(rules.forget_stored_table)


# --- weekly leagues ------------------------------------------------------------------------------


def _league_add(*, stats: LearnerStats, amount: int, at: dt.datetime) -> None:
    """Count an award on the learner's cohort of its week; the week's first XP joins a cohort."""
    week = leaderboards.week_start_of(at)
    updated = LeagueMembership.objects.filter(
        user_id=stats.user_id, week_start=week, cohort__settled_at=None
    ).update(xp=F("xp") + amount)
    if updated or amount <= 0 or stats.is_hidden_from_leaderboards:
        return
    if week != leaderboards.week_start_of(timezone.now()):
        return  # a late award for a past week joins nobody to a finished week
    if LeagueMembership.objects.filter(user_id=stats.user_id, week_start=week).exists():
        return  # that week's cohort is already settled
    cohort = _league_cohort_with_room(week=week, tier=stats.league_tier)
    LeagueMembership.objects.create(
        cohort=cohort,
        user_id=stats.user_id,
        week_start=week,
        tier=cohort.tier,
        xp=amount,
        joined_at=at,
    )
    LeagueCohort.objects.filter(pk=cohort.pk).update(member_count=F("member_count") + 1)


def _league_cohort_with_room(*, week: dt.date, tier: int) -> LeagueCohort:
    """The week's first cohort of `tier` with room (locked), or a new one."""
    for _ in range(20):
        cohort = (
            LeagueCohort.objects.select_for_update()
            .filter(week_start=week, tier=tier, member_count__lt=leagues.COHORT_SIZE)
            .order_by("number")
            .first()
        )
        if cohort is not None:
            return cohort
        last = LeagueCohort.objects.filter(week_start=week, tier=tier).order_by("-number").first()
        if last is not None and last.member_count < leagues.COHORT_SIZE:
            # Opened by someone else after our locking read took its snapshot (a wait on a full
            # cohort's lock ends with that row filtered out, not with the newer rows): look again.
            continue
        try:
            with transaction.atomic():
                return LeagueCohort.objects.create(
                    week_start=week, tier=tier, number=(last.number + 1) if last else 1
                )
        except IntegrityError:
            continue  # another learner opened that cohort first: join it (or the next)
    raise LeagueCohortBusyError("Could not place the learner in a league cohort; try again.")


def leagues_settle(*, now: dt.datetime | None = None) -> int:
    """Settle every cohort of a week that has ended, oldest first, each exactly once.

    Ranks each cohort by XP (ties to the lower user id), records every member's final rank and
    result, and moves the promoted up a tier and the demoted down one. Returns the cohorts settled.
    """
    current_week = leaderboards.week_start_of(now or timezone.now())
    cohort_ids = list(
        LeagueCohort.objects.filter(week_start__lt=current_week, settled_at=None)
        .order_by("week_start", "tier", "number")
        .values_list("pk", flat=True)
    )
    return sum(1 for cohort_id in cohort_ids if _league_cohort_settle(cohort_id=cohort_id))


@transaction.atomic
def _league_cohort_settle(*, cohort_id: int) -> bool:
    cohort = LeagueCohort.objects.select_for_update().get(pk=cohort_id)
    if cohort.settled_at is not None:
        return False  # settled by an earlier (or a concurrent) run
    members = list(cohort.memberships.order_by("-xp", "user_id"))
    size = len(members)
    moves: dict[int, list[int]] = {}
    for rank, member in enumerate(members, start=1):
        zone = leagues.zone_for(rank=rank, size=size, tier=cohort.tier, xp=member.xp)
        member.final_rank = rank
        if zone == leagues.Zone.PROMOTION:
            member.result = LeagueMembership.Result.PROMOTED
            new_tier = cohort.tier + 1
        elif zone == leagues.Zone.DEMOTION:
            member.result = LeagueMembership.Result.DEMOTED
            new_tier = cohort.tier - 1
        else:
            member.result = LeagueMembership.Result.STAYED
            new_tier = cohort.tier
        moves.setdefault(new_tier, []).append(member.user_id)
    LeagueMembership.objects.bulk_update(members, ["final_rank", "result"])
    for new_tier, user_ids in moves.items():
        LearnerStats.objects.filter(user_id__in=user_ids).update(league_tier=new_tier)
    cohort.settled_at = timezone.now()
    cohort.member_count = size
    cohort.save(update_fields=["settled_at", "member_count"])
    return True


@transaction.atomic
def study_group_create(*, owner: Any, name: str) -> StudyGroup:
    """Create a study group its owner belongs to; below level 30 a learner owns one group."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 80:
        raise InvalidAwardError(
            "Give the group a name of 1 to 80 characters.",
            fields={"name": ["Give the group a name of 1 to 80 characters."]},
        )
    stats = _stats_locked(owner)
    owned = StudyGroup.objects.filter(owner=owner).count()
    if stats.level < 30 and owned >= GROUPS_BEFORE_LEVEL_30:
        raise StudyGroupLimitError("You can own more than one study group from level 30.")
    group = StudyGroup.objects.create(owner=owner, name=name)
    StudyGroupMembership.objects.create(group=group, user=owner)
    transaction.on_commit(functools.partial(_evaluate_later, owner.pk))
    return group


@transaction.atomic
def study_group_join(*, user: Any, invite_code: str) -> StudyGroup:
    """Join a study group by its invite link; joining twice is harmless."""
    group = StudyGroup.objects.select_for_update().filter(invite_code=invite_code).first()
    if group is None:
        raise StudyGroupNotFoundError("This invite link is not valid (it may have been reset).")
    if group.memberships.filter(user=user).exists():
        return group
    if group.memberships.count() >= StudyGroup.MAX_MEMBERS:
        raise StudyGroupFullError(f"This group is full ({StudyGroup.MAX_MEMBERS} members).")
    StudyGroupMembership.objects.create(group=group, user=user)
    transaction.on_commit(functools.partial(_evaluate_later, user.pk))
    return group


@transaction.atomic
def study_group_leave(*, user: Any, group: StudyGroup) -> None:
    """Leave a group; when its owner leaves, the group is deleted."""
    if group.owner_id == user.pk:
        group.delete()
        return
    StudyGroupMembership.objects.filter(group=group, user=user).delete()


def _evaluate_later(user_id: int) -> None:
    from gamification import tasks

    tasks.achievements_evaluate.delay(user_id)
