"""The XP formula, in one place: XP = base(action) x factor x difficulty multiplier + streak bonus.

The factor is 1 for every action but ANSWER_RATED, where it is the asker's own 1-10 award: an
answer rated 7 is worth 7 x base(answer_rated) (1 by default) x the difficulty multiplier of the
question's course (1 outside a course), plus the answerer's streak bonus, within the daily cap
of the action (200 a day by default, like Stack Overflow's daily limit on reputation from
votes). A Q&A award does not count as a streak day: the asker acts, not the learner who
receives it, and nobody else can keep a learner's streak alive. Changing an award within its
window posts the difference to what the formula gives for the new factor, so the ledger nets to
the current award (qa.services.ratings).

The tables below are the defaults; settings.GAMIFICATION (a dict with any of the keys XP_BASE,
DIFFICULTY_MULTIPLIER, STREAK_BONUS_PER_DAY, STREAK_BONUS_CAP, DAILY_CAP, FREEZE_EVERY_XP,
FREEZE_CAP) overrides them, and the XP table an admin saves in the Django admin (models.XpSettings,
cached) overrides both, so the economy is tuned without a release.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache


class Action:
    """Every reason XP can be minted; the ledger's `action` column holds one of these."""

    LESSON_COMPLETED = "lesson_completed"
    QUIZ_PASSED = "quiz_passed"
    QUIZ_PERFECT = "quiz_perfect"
    COURSE_COMPLETED = "course_completed"
    STREAK_DAY = "streak_day"
    ANSWER_RATED = "answer_rated"  # the asker's 1-10 award in the help center: the factor
    REVIEW_DONE = "review_done"  # revision mode (spaced repetition)
    CHALLENGE_COMPLETED = "challenge_completed"  # challenge mode
    MANUAL_GRANT = "manual_grant"  # staff and instructors, with a reason
    # Help-center bounties move the asker's own XP: out when offered, to the accepted answer's
    # author or back to the asker. Their amounts are the bounty's, never the formula's.
    BOUNTY_OFFERED = "bounty_offered"
    BOUNTY_AWARDED = "bounty_awarded"
    BOUNTY_REFUNDED = "bounty_refunded"

    CHOICES = [
        (LESSON_COMPLETED, "Lesson completed"),
        (QUIZ_PASSED, "Quiz passed"),
        (QUIZ_PERFECT, "Perfect quiz score"),
        (COURSE_COMPLETED, "Course completed"),
        (STREAK_DAY, "Streak day"),
        (ANSWER_RATED, "Answer rewarded by the asker"),
        (REVIEW_DONE, "Review done"),
        (CHALLENGE_COMPLETED, "Challenge completed"),
        (MANUAL_GRANT, "Granted by staff"),
        (BOUNTY_OFFERED, "Bounty offered on a question"),
        (BOUNTY_AWARDED, "Bounty for an accepted answer"),
        (BOUNTY_REFUNDED, "Bounty refunded"),
    ]

    # Actions with an amount of their own: no base, multiplier, streak bonus or cap to tune.
    UNTUNED = frozenset({MANUAL_GRANT, BOUNTY_OFFERED, BOUNTY_AWARDED, BOUNTY_REFUNDED})


DEFAULTS: dict[str, Any] = {
    "XP_BASE": {
        Action.LESSON_COMPLETED: 10,
        Action.QUIZ_PASSED: 25,
        Action.QUIZ_PERFECT: 10,
        Action.COURSE_COMPLETED: 100,
        Action.STREAK_DAY: 5,
        Action.REVIEW_DONE: 2,
        Action.CHALLENGE_COMPLETED: 15,
        Action.ANSWER_RATED: 1,  # per point of the asker's 1-10 award (the factor)
    },
    # Multipliers by the course's difficulty (courses.models.Course.Difficulty values).
    "DIFFICULTY_MULTIPLIER": {
        "beginner": 1.0,
        "intermediate": 1.25,
        "advanced": 1.5,
        "expert": 2.0,
    },
    # Bonus XP per day of the current streak, up to the cap, added to streak-eligible actions.
    "STREAK_BONUS_PER_DAY": 1,
    "STREAK_BONUS_CAP": 10,
    # Most XP one action may mint for a learner per day (their local day); None means no cap.
    "DAILY_CAP": {
        Action.LESSON_COMPLETED: 400,
        Action.QUIZ_PASSED: 400,
        Action.QUIZ_PERFECT: 200,
        Action.REVIEW_DONE: 200,
        Action.CHALLENGE_COMPLETED: 300,
        Action.ANSWER_RATED: 200,
    },
    # A streak freeze is earned for every FREEZE_EVERY_XP of XP, holding at most FREEZE_CAP.
    "FREEZE_EVERY_XP": 500,
    "FREEZE_CAP": 2,
}

# Actions whose XP grows with the learner's streak (the streak day itself and grants do not).
STREAK_BONUS_ACTIONS = frozenset(
    {
        Action.LESSON_COMPLETED,
        Action.QUIZ_PASSED,
        Action.COURSE_COMPLETED,
        Action.CHALLENGE_COMPLETED,
        Action.ANSWER_RATED,
    }
)
DIFFICULTY_ACTIONS = frozenset(
    {
        Action.LESSON_COMPLETED,
        Action.QUIZ_PASSED,
        Action.QUIZ_PERFECT,
        Action.COURSE_COMPLETED,
        Action.CHALLENGE_COMPLETED,
        Action.ANSWER_RATED,  # the question's course, when it has one
    }
)


STORED_TABLE_CACHE_KEY = "gamification:xp-table"
STORED_TABLE_SECONDS = 300


def table_from_settings(name: str) -> Any:
    """One table as the settings give it (the defaults where they say nothing)."""
    overrides = getattr(settings, "GAMIFICATION", {}) or {}
    return _merged(DEFAULTS[name], overrides, name)


def table(name: str) -> Any:
    """One tunable table in force: the admin's saved table, else the settings, else the default."""
    return _merged(table_from_settings(name), stored_table(), name)


def _merged(value: Any, layer: dict[str, Any], name: str) -> Any:
    if name not in layer:
        return value
    if isinstance(value, dict) and isinstance(layer[name], dict):
        return {**value, **layer[name]}
    return layer[name]


def stored_table() -> dict[str, Any]:
    """The XP table saved in the admin, as table names to values ({} if none), cached."""
    stored = cache.get(STORED_TABLE_CACHE_KEY)
    if stored is not None:
        return stored  # type: ignore[no-any-return]
    from gamification.models import XpSettings

    row = XpSettings.objects.prefetch_related("actions", "difficulties").filter(pk=1).first()
    stored = {}
    if row is not None:
        stored = {
            "XP_BASE": {item.action: item.base for item in row.actions.all()},
            "DAILY_CAP": {item.action: item.daily_cap for item in row.actions.all()},
            "DIFFICULTY_MULTIPLIER": {
                item.difficulty: float(item.multiplier) for item in row.difficulties.all()
            },
            "STREAK_BONUS_PER_DAY": row.streak_bonus_per_day,
            "STREAK_BONUS_CAP": row.streak_bonus_cap,
            "FREEZE_EVERY_XP": row.freeze_every_xp,
            "FREEZE_CAP": row.freeze_cap,
        }
    cache.set(STORED_TABLE_CACHE_KEY, stored, STORED_TABLE_SECONDS)
    return stored


def forget_stored_table() -> None:
    """Drop the cached table so the next award reads the admin's new values."""
    cache.delete(STORED_TABLE_CACHE_KEY)


@dataclass(frozen=True)
class XpQuote:
    base: int
    multiplier: float
    streak_bonus: int
    factor: int = 1

    @property
    def amount(self) -> int:
        return round(self.base * self.factor * self.multiplier) + self.streak_bonus


def xp_quote(*, action: str, difficulty: str | None, streak: int, factor: int = 1) -> XpQuote:
    """What `action` is worth for a course of `difficulty` to a learner on a `streak`-day streak;
    `factor` scales the base (the asker's 1-10 for ANSWER_RATED, 1 otherwise)."""
    if isinstance(factor, bool) or not isinstance(factor, int) or factor < 0:
        raise ValueError("factor must be a whole number, not negative")
    base = int(table("XP_BASE").get(action, 0))
    multiplier = 1.0
    if action in DIFFICULTY_ACTIONS and difficulty:
        multiplier = float(table("DIFFICULTY_MULTIPLIER").get(difficulty, 1.0))
    bonus = 0
    if action in STREAK_BONUS_ACTIONS and streak > 0:
        bonus = min(streak * int(table("STREAK_BONUS_PER_DAY")), int(table("STREAK_BONUS_CAP")))
    return XpQuote(base=base, multiplier=multiplier, streak_bonus=bonus, factor=factor)


def daily_cap(action: str) -> int | None:
    cap = table("DAILY_CAP").get(action)
    return None if cap is None else int(cap)
