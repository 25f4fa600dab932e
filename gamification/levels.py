"""Levels 1-100 on one smooth curve: reaching level n takes round(50 * (n - 1) ** 1.8) XP in all.

Level 2 takes 50 XP, level 10 about 2,600, level 50 about 55,000 and level 100 about 195,000: the
first levels come in the first sessions, later ones need weeks of steady learning (a polynomial,
like Level Up XP's curve, so no level ever needs less than the one before). Every ten levels share
a title, and some levels unlock something.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

MAX_LEVEL = 100
_SCALE = 50
_EXPONENT = 1.8

THRESHOLDS: list[int] = [round(_SCALE * (level - 1) ** _EXPONENT) for level in range(1, 101)]

TITLES = [
    "Newcomer",
    "Apprentice",
    "Explorer",
    "Scholar",
    "Adept",
    "Specialist",
    "Expert",
    "Master",
    "Sage",
    "Luminary",
]

# Offering XP bounties on one's own questions in the help center (qa.services.bounties).
BOUNTY_LEVEL = 10

UNLOCKS: dict[int, str] = {
    5: "A bronze profile frame",
    BOUNTY_LEVEL: "Offering XP bounties on your questions in the help center",
    20: "A silver profile frame",
    30: "Creating more than one study group",
    40: "A gold profile frame",
    60: "A platinum profile frame",
    80: "A diamond profile frame",
    100: "The Luminary crown on your profile",
}


FRAMES: dict[int, str] = {5: "Bronze", 20: "Silver", 40: "Gold", 60: "Platinum", 80: "Diamond"}


def frame_for_level(level: int) -> str | None:
    """The profile frame a learner at `level` has unlocked (the best one), if any."""
    reached = [name for threshold, name in sorted(FRAMES.items()) if level >= threshold]
    return reached[-1] if reached else None


def xp_for_level(level: int) -> int:
    """Total XP needed to reach `level` (1 <= level <= 100)."""
    return THRESHOLDS[max(1, min(level, MAX_LEVEL)) - 1]


def level_for_xp(total_xp: int) -> int:
    """The level a learner with `total_xp` XP has reached."""
    return max(1, bisect_right(THRESHOLDS, max(total_xp, 0)))


def title_for_level(level: int) -> str:
    return TITLES[min((level - 1) // 10, len(TITLES) - 1)]


@dataclass(frozen=True)
class LevelProgress:
    level: int
    title: str
    total_xp: int
    level_floor: int
    next_level_xp: int | None
    xp_into_level: int
    xp_to_next: int
    percent: int


def level_progress(total_xp: int) -> LevelProgress:
    """Where `total_xp` stands: level, title and progress toward the next level."""
    level = level_for_xp(total_xp)
    floor = xp_for_level(level)
    if level >= MAX_LEVEL:
        return LevelProgress(level, title_for_level(level), total_xp, floor, None, 0, 0, 100)
    ceiling = xp_for_level(level + 1)
    into = total_xp - floor
    span = ceiling - floor
    return LevelProgress(
        level=level,
        title=title_for_level(level),
        total_xp=total_xp,
        level_floor=floor,
        next_level_xp=ceiling,
        xp_into_level=into,
        xp_to_next=ceiling - total_xp,
        percent=int(into * 100 / span),
    )
