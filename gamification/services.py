"""Writes: XP awards to the ledger, streaks, levels, achievements, manual grants, privacy."""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.models import User
from core.roles import Role
from courses.models import Course, Enrollment
from gamification import achievements as catalogue
from gamification import events, rules
from gamification.exceptions import IdempotencyConflictError, InvalidAwardError
from gamification.leaderboard import boards_touched, leaderboard
from gamification.models import (
    ActivityCounter,
    ActivityDay,
    EarnedAchievement,
    GamificationProfile,
    LevelUp,
    XpLedgerEntry,
)

# Actions that make a day count for the learning streak.
STREAK_ACTIONS = frozenset({"lesson_completed", "quiz_passed", "course_completed"})
MAX_MANUAL_GRANT = 1000


def local_datetime(user: User, moment: datetime) -> datetime:
    """`moment` in the user's own time zone (UTC when theirs is unknown)."""
    try:
        zone = ZoneInfo(user.time_zone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return moment.astimezone(zone)


def _profile_for_update(user: User) -> GamificationProfile:
    GamificationProfile.objects.get_or_create(user=user)
    return GamificationProfile.objects.select_for_update().get(user=user)


def _source_fields(source: Any) -> tuple[str, str]:
    if source is None:
        return "", ""
    meta = source._meta
    return f"{meta.app_label}.{meta.model_name}", str(source.pk)


def _streak_touch(profile: GamificationProfile, today: date) -> bool:
    """Count `today` as a learning day; True when it is a new day for the streak.

    Missed days are bridged by streak freezes when the learner holds enough of them.
    """
    last = profile.last_active_date
    if last is not None and last >= today:
        return False
    if last is None:
        profile.current_streak = 1
    else:
        missed = (today - last).days - 1
        if missed == 0:
            profile.current_streak += 1
        elif missed <= profile.streak_freezes:
            profile.streak_freezes -= missed
            ActivityDay.objects.bulk_create(
                [
                    ActivityDay(
                        user_id=profile.user_id, date=last + timedelta(days=n), is_frozen=True
                    )
                    for n in range(1, missed + 1)
                ],
                ignore_conflicts=True,
            )
            profile.current_streak += 1
        else:
            profile.current_streak = 1
    profile.longest_streak = max(profile.longest_streak, profile.current_streak)
    profile.last_active_date = today
    profile.active_days += 1
    return True


def _counter_metrics(
    *, action: str, local: datetime, course: Course | None, source: Any, first_for_source: bool
) -> list[str]:
    """The achievement counters one award moves (each by one)."""
    metrics: list[str] = []
    if action == "lesson_completed":
        metrics.append("lessons_completed")
        if local.hour < 5:
            metrics.append("night_lessons")
        elif local.hour < 8:
            metrics.append("early_lessons")
        if local.weekday() >= 5:
            metrics.append("weekend_lessons")
    elif action == "quiz_passed":
        metrics.append("quizzes_passed")
        if getattr(source, "number", 1) > 1:
            metrics.append("quizzes_passed_on_retry")
    elif action == "quiz_perfect":
        metrics.append("perfect_quizzes")
    elif action == "course_completed":
        metrics.append("courses_completed")
        if course is not None and course.difficulty in ("advanced", "expert"):
            metrics.append("hard_courses_completed")
    elif action == "answer_rated" and first_for_source:
        metrics.append("answers_rated")
    return metrics


def _counters_add(user_id: int, increments: dict[str, int]) -> None:
    for metric, amount in increments.items():
        if amount == 0:
            continue
        ActivityCounter.objects.get_or_create(user_id=user_id, metric=metric)
        ActivityCounter.objects.filter(user_id=user_id, metric=metric).update(
            value=Greatest(F("value") + amount, 0)
        )


def _post(
    *,
    profile: GamificationProfile,
    user: User,
    action: str,
    amount: int,
    idempotency_key: str,
    course: Course | None,
    source: Any,
    reason: str,
    now: datetime,
    local_date: date,
) -> XpLedgerEntry | None:
    """Insert one ledger row (None when the key is already there) and move the total."""
    source_type, source_id = _source_fields(source)
    try:
        with transaction.atomic():
            entry = XpLedgerEntry.objects.create(
                user=user,
                amount=amount,
                action=action,
                reason=reason[:255],
                course=course,
                source_type=source_type,
                source_id=source_id,
                idempotency_key=idempotency_key,
                local_date=local_date,
                created_at=now,
            )
    except IntegrityError:
        return None
    profile.xp_total += amount
    profile.has_ledger_entries = True
    ActivityDay.objects.get_or_create(user=user, date=local_date)
    ActivityDay.objects.filter(user=user, date=local_date).update(xp=F("xp") + amount)
    transaction.on_commit(
        functools.partial(
            _leaderboard_record, user_id=user.pk, amount=amount, course_id=entry.course_id, at=now
        )
    )
    return entry


def _leaderboard_record(*, user_id: int, amount: int, course_id: int | None, at: datetime) -> None:
    hidden = GamificationProfile.objects.filter(
        user_id=user_id, is_hidden_from_leaderboards=True
    ).exists()
    if not hidden:
        leaderboard().record(
            user_id=user_id, amount=amount, boards=boards_touched(course_id=course_id, at=at)
        )


def _levels_update(profile: GamificationProfile, user: User, now: datetime) -> None:
    new_level = rules.level_for_xp(profile.xp_total)
    if new_level > profile.level:
        reached = [
            LevelUp(user=user, level=n, reached_at=now)
            for n in range(profile.level + 1, new_level + 1)
        ]
        LevelUp.objects.bulk_create(reached, ignore_conflicts=True)
        transaction.on_commit(
            functools.partial(
                events.level_reached.send,
                sender=GamificationProfile,
                user=user,
                level=new_level,
                title=rules.level_title(new_level),
            )
        )
    profile.level = new_level  # levels follow the total down too (a correction), history stays


def _freezes_update(profile: GamificationProfile) -> None:
    table = rules.rules()
    earned = max(profile.xp_total, 0) // int(table["freeze_every_xp"])
    if earned > profile.freezes_earned:
        new = earned - profile.freezes_earned
        profile.streak_freezes = min(profile.streak_freezes + new, int(table["freeze_max_held"]))
        profile.freezes_earned = earned


@transaction.atomic
def xp_award(
    *,
    user: User,
    action: str,
    idempotency_key: str,
    course: Course | None = None,
    source: Any = None,
    amount: int | None = None,
    reason: str = "",
    at: datetime | None = None,
) -> XpLedgerEntry | None:
    """Post XP to the ledger exactly once per idempotency key.

    Without `amount` the XP comes from the formula (base x difficulty + streak bonus) and the
    action's daily cap applies (None when the cap is reached). A repeated key returns the entry
    already posted and changes nothing; the user's row lock serialises concurrent awards.
    """
    if not action or len(action) > 64:
        raise InvalidAwardError("An award needs an action of at most 64 characters.")
    if not idempotency_key or len(idempotency_key) > 200:
        raise InvalidAwardError("An award needs an idempotency key of 1 to 200 characters.")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
        raise InvalidAwardError("The amount must be a whole number.")
    profile = _profile_for_update(user)
    existing = XpLedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.user_id != user.pk or existing.action != action:
            raise IdempotencyConflictError("This idempotency key was used for another award.")
        return existing
    now = at or timezone.now()
    local = local_datetime(user, now)
    today = local.date()
    if amount is None:
        cap = rules.daily_cap(action)
        if cap is not None:
            done = XpLedgerEntry.objects.filter(user=user, action=action, local_date=today).count()
            if done >= cap:
                return None
    new_day = action in STREAK_ACTIONS and _streak_touch(profile, today)
    if amount is None:
        amount = rules.xp_for(
            action=action,
            difficulty=course.difficulty if course is not None else None,
            current_streak=profile.current_streak,
        )
    source_type, source_id = _source_fields(source)
    first_for_source = (
        bool(source_type)
        and not XpLedgerEntry.objects.filter(
            user=user, action=action, source_type=source_type, source_id=source_id
        ).exists()
    )
    entry = _post(
        profile=profile,
        user=user,
        action=action,
        amount=amount,
        idempotency_key=idempotency_key,
        course=course,
        source=source,
        reason=reason,
        now=now,
        local_date=today,
    )
    if entry is None:  # another transaction posted the key first
        return XpLedgerEntry.objects.get(idempotency_key=idempotency_key)
    increments = dict.fromkeys(
        _counter_metrics(
            action=action,
            local=local,
            course=course,
            source=source,
            first_for_source=first_for_source,
        ),
        1,
    )
    if action == "answer_rated":
        increments["qa_xp_received"] = amount
    if new_day:
        _post(
            profile=profile,
            user=user,
            action="streak_day",
            amount=rules.xp_for(action="streak_day", difficulty=None, current_streak=0),
            idempotency_key=f"streak_day:{user.pk}:{today.isoformat()}",
            course=None,
            source=None,
            reason=f"Learning streak: day {profile.current_streak}",
            now=now,
            local_date=today,
        )
    _counters_add(user.pk, increments)
    _levels_update(profile, user, now)
    _freezes_update(profile)
    profile.save()
    transaction.on_commit(functools.partial(_achievements_schedule, user.pk))
    return entry


def _achievements_schedule(user_id: int) -> None:
    from gamification import tasks

    tasks.achievements_evaluate.delay(user_id)


def metric_values(user: User) -> dict[str, int]:
    """Every achievement metric's current value for the user."""
    values = dict.fromkeys(catalogue.METRICS, 0)
    values.update(
        ActivityCounter.objects.filter(user=user).values_list("metric", "value")  # type: ignore[arg-type]  # (metric, value) pairs
    )
    profile = GamificationProfile.objects.filter(user=user).first()
    if profile is not None:
        for metric in catalogue.PROFILE_METRICS:
            values[metric] = getattr(profile, metric)
    return values


@transaction.atomic
def achievements_evaluate(*, user: User) -> list[str]:
    """Unlock every achievement whose rule the user now meets; each is unlocked once."""
    values = metric_values(user)
    earned = set(EarnedAchievement.objects.filter(user=user).values_list("code", flat=True))
    unlocked: list[str] = []
    for achievement in catalogue.ACHIEVEMENTS:
        if achievement.code in earned or values[achievement.metric] < achievement.threshold:
            continue
        _, created = EarnedAchievement.objects.get_or_create(user=user, code=achievement.code)
        if created:
            unlocked.append(achievement.code)
            transaction.on_commit(
                functools.partial(
                    events.achievement_unlocked.send,
                    sender=EarnedAchievement,
                    user=user,
                    code=achievement.code,
                    name=achievement.name,
                )
            )
    return unlocked


@transaction.atomic
def xp_grant(
    *,
    granted_by: User,
    user: User,
    amount: Any,
    reason: str,
    idempotency_key: str,
    course: Course | None = None,
) -> tuple[XpLedgerEntry, bool]:
    """A manual grant (or correction) by an admin, or by an instructor to a learner of their course.

    Returns the entry and whether it was created now (False for a retried key).
    """
    from gamification.exceptions import GrantNotAllowedError

    if granted_by.role == Role.INSTRUCTOR:
        if course is None or not course.instructors.filter(pk=granted_by.pk).exists():
            raise GrantNotAllowedError("Instructors grant XP only within a course they teach.")
        if not Enrollment.objects.filter(learner=user, course=course).exists():
            raise GrantNotAllowedError("This learner is not enrolled in that course.")
    elif granted_by.role != Role.ADMIN:
        raise GrantNotAllowedError("Only instructors and administrators grant XP.")
    if (
        isinstance(amount, bool)
        or not isinstance(amount, int)
        or amount == 0
        or abs(amount) > MAX_MANUAL_GRANT
    ):
        message = f"The amount must be a whole number from -{MAX_MANUAL_GRANT} to "
        message += f"{MAX_MANUAL_GRANT}, other than 0."
        raise InvalidAwardError(message, fields={"amount": [message]})
    if not reason.strip():
        raise InvalidAwardError(
            "A grant needs a reason.", fields={"reason": ["A grant needs a reason."]}
        )
    key = f"manual:{granted_by.pk}:{idempotency_key}"
    existed = XpLedgerEntry.objects.filter(idempotency_key=key).exists()
    entry = xp_award(
        user=user,
        action="manual_grant",
        idempotency_key=key,
        course=course,
        amount=amount,
        reason=f"{reason.strip()} (by {granted_by.get_username()})",
    )
    if entry is None:  # an explicit amount is never capped; kept for the type checker
        raise InvalidAwardError("The grant could not be posted.")
    return entry, not existed


@transaction.atomic
def leaderboard_visibility_set(*, user: User, is_hidden: bool) -> GamificationProfile:
    """Hide the user from (or show them on) the public leaderboards, Redis included."""
    profile = _profile_for_update(user)
    profile.is_hidden_from_leaderboards = is_hidden
    profile.save(update_fields=["is_hidden_from_leaderboards", "updated_at"])
    transaction.on_commit(functools.partial(_leaderboard_visibility_sync, user.pk, is_hidden))
    return profile


def _leaderboard_visibility_sync(user_id: int, is_hidden: bool) -> None:
    from gamification.leaderboard import RedisLeaderboard, leaderboards_rebuild

    store = leaderboard()
    if not isinstance(store, RedisLeaderboard):
        return
    if is_hidden:
        course_ids = set(
            XpLedgerEntry.objects.filter(user_id=user_id)
            .exclude(course_id=None)
            .order_by()
            .values_list("course_id", flat=True)
        )
        boards = boards_touched(course_id=None, at=timezone.now())
        for course_id in course_ids:
            boards += boards_touched(course_id=course_id, at=timezone.now())[2:]
        store.remove(user_id=user_id, boards=boards)
    else:
        leaderboards_rebuild()


@transaction.atomic
def streaks_expire(*, at: datetime | None = None) -> int:
    """Reset the current streak of everyone whose streak broke (beyond their freezes).

    Run daily by beat; the profile also shows a broken streak as 0 before this runs.
    """
    now = at or timezone.now()
    broken = 0
    candidates = GamificationProfile.objects.filter(current_streak__gt=0).select_related("user")
    for profile in candidates.iterator():
        today = local_datetime(profile.user, now).date()
        if streak_is_broken(profile, today):
            GamificationProfile.objects.filter(pk=profile.pk).update(current_streak=0)
            broken += 1
    return broken


def streak_is_broken(profile: GamificationProfile, today: date) -> bool:
    """True when more days were missed since the last learning day than freezes can cover."""
    if profile.last_active_date is None:
        return True
    missed = (today - profile.last_active_date).days - 1
    return missed > profile.streak_freezes
