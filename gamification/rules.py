"""The XP formula, its tunable table, and the level curve: the one place these numbers live.

    XP = base(action) x difficulty multiplier(course difficulty) + streak bonus(current streak)

The table below is the default; `settings.GAMIFICATION_XP_RULES` (a dict with any of the keys of
`DEFAULT_RULES`) overrides it per key, so an administrator tunes it without a code change.

Levels 1-100 follow a quadratic curve: reaching level L needs

    xp_for_level(L) = 10 * (L - 1)^2 + 40 * (L - 1)

so level 2 needs 50 XP, level 10 needs 1,170, level 50 needs 25,970 and level 100 needs 101,970:
early levels come every few lessons, and the top is reachable by a dedicated learner in a year or
two (Moodle's geometric curve would put level 100 out of reach).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

MAX_LEVEL = 100

DEFAULT_RULES: dict[str, Any] = {
    # Base XP per action (actions not listed need an explicit amount).
    "base": {
        "lesson_completed": 10,
        "quiz_passed": 20,
        "quiz_perfect": 10,
        "course_completed": 100,
        "streak_day": 5,
        "answer_rated": 1,
        "manual_grant": 0,
    },
    # Multiplier by the course's difficulty (no course: 1).
    "difficulty_multiplier": {
        "beginner": "1.0",
        "intermediate": "1.25",
        "advanced": "1.5",
        "expert": "2.0",
    },
    # Streak bonus: this many XP per day of the current streak, at most the cap; only learning
    # actions earn it.
    "streak_bonus_per_day": 1,
    "streak_bonus_cap": 10,
    "streak_bonus_actions": ["lesson_completed", "quiz_passed", "course_completed"],
    # Anti-farming: at most this many awards per action per local day (missing: no cap).
    "daily_cap": {
        "lesson_completed": 60,
        "quiz_passed": 30,
        "quiz_perfect": 30,
        "streak_day": 1,
        "answer_rated": 50,
    },
    # Streak freezes: one is earned per this many XP, and at most this many are held at once.
    "freeze_every_xp": 500,
    "freeze_max_held": 2,
}


def rules() -> dict[str, Any]:
    """The effective table: the defaults with the settings' overrides applied per key."""
    overrides = getattr(settings, "GAMIFICATION_XP_RULES", {}) or {}
    merged = dict(DEFAULT_RULES)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def xp_for(*, action: str, difficulty: str | None, current_streak: int) -> int:
    """XP = base(action) x multiplier(difficulty) + streak bonus (capped), rounded half up."""
    table = rules()
    base = int(table["base"].get(action, 0))
    multiplier = Decimal(str(table["difficulty_multiplier"].get(difficulty or "", "1.0")))
    bonus = 0
    if action in table["streak_bonus_actions"]:
        bonus = min(
            current_streak * int(table["streak_bonus_per_day"]), int(table["streak_bonus_cap"])
        )
    return int((Decimal(base) * multiplier).to_integral_value(rounding="ROUND_HALF_UP")) + bonus


def daily_cap(action: str) -> int | None:
    cap = rules()["daily_cap"].get(action)
    return None if cap is None else int(cap)


def xp_for_level(level: int) -> int:
    """Total XP needed to reach `level` (1..100)."""
    steps = max(min(level, MAX_LEVEL), 1) - 1
    return 10 * steps * steps + 40 * steps


def level_for_xp(xp: int) -> int:
    """The level a total of `xp` reaches (the inverse of xp_for_level, clamped to 1..100)."""
    if xp <= 0:
        return 1
    # 10 s^2 + 40 s <= xp  <=>  s <= (-40 + sqrt(1600 + 40 xp)) / 20
    steps = int((-40 + math.isqrt(1600 + 40 * xp)) // 20)
    while xp_for_level(steps + 2) <= xp and steps + 1 < MAX_LEVEL:
        steps += 1
    while steps > 0 and xp_for_level(steps + 1) > xp:
        steps -= 1
    return min(steps + 1, MAX_LEVEL)


TITLES = [
    "Novice",
    "Apprentice",
    "Learner",
    "Scholar",
    "Adept",
    "Expert",
    "Master",
    "Sage",
    "Luminary",
    "Legend",
]

# What each level unlocks (shown on the profile; other apps ask `level_unlocks`).
UNLOCKS: dict[int, str] = {
    5: "Bronze profile frame",
    10: "Award bounties on Q&A questions",
    15: "Create study groups",
    20: "Silver profile frame",
    30: "Custom profile banner",
    50: "Gold profile frame",
    75: "Platinum profile frame",
    100: "Legend profile frame and title",
}


def level_title(level: int) -> str:
    """Levels 1-10 are Novices, 11-20 Apprentices ... 91-100 Legends."""
    return TITLES[min((max(level, 1) - 1) // 10, len(TITLES) - 1)]


def level_unlocks(level: int) -> list[str]:
    """Everything unlocked at or below `level`."""
    return [unlock for at, unlock in sorted(UNLOCKS.items()) if at <= level]


@dataclass(frozen=True)
class LevelProgress:
    level: int
    title: str
    xp: int
    level_floor: int
    next_level_xp: int | None
    percent: int


def level_progress(xp: int) -> LevelProgress:
    """Where `xp` sits inside its level, for the progress bar."""
    level = level_for_xp(xp)
    floor = xp_for_level(level)
    if level >= MAX_LEVEL:
        return LevelProgress(level, level_title(level), xp, floor, None, 100)
    nxt = xp_for_level(level + 1)
    percent = int((xp - floor) * 100 // (nxt - floor))
    return LevelProgress(level, level_title(level), xp, floor, nxt, percent)
