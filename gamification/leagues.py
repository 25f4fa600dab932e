"""Weekly leagues: ten tiers, cohorts of about 30 learners, promotion and demotion zones.

A learner joins a cohort of their tier with their first XP of a week (so cohorts hold active
learners only); the week runs Monday to Sunday (UTC), like the weekly boards. When the week ends a
Celery beat job settles each cohort once: the top of the cohort moves up a tier, the bottom moves
down, everyone else stays. Zone sizes scale with the cohort: 7 up and 5 down in a full cohort of 30.
"""

from __future__ import annotations

import math

COHORT_SIZE = 30
PROMOTED_PER_30 = 7
DEMOTED_PER_30 = 5

TIERS: list[str] = [
    "Bronze",
    "Silver",
    "Gold",
    "Sapphire",
    "Ruby",
    "Emerald",
    "Amethyst",
    "Pearl",
    "Obsidian",
    "Diamond",
]
LOWEST_TIER = 1
HIGHEST_TIER = len(TIERS)


def tier_name(tier: int) -> str:
    return TIERS[max(LOWEST_TIER, min(tier, HIGHEST_TIER)) - 1]


def zone_sizes(*, size: int, tier: int) -> tuple[int, int]:
    """How many of a cohort of `size` in `tier` are promoted and how many are demoted."""
    promoted = 0 if tier >= HIGHEST_TIER else math.ceil(size * PROMOTED_PER_30 / COHORT_SIZE)
    demoted = 0 if tier <= LOWEST_TIER else size * DEMOTED_PER_30 // COHORT_SIZE
    return promoted, min(demoted, size - promoted)


class Zone:
    PROMOTION = "promotion"
    SAFE = "safe"
    DEMOTION = "demotion"


def zone_for(*, rank: int, size: int, tier: int, xp: int) -> str:
    """The zone of the learner at `rank` (1-based): only learners with XP can be promoted."""
    promoted, demoted = zone_sizes(size=size, tier=tier)
    if rank <= promoted and xp > 0:
        return Zone.PROMOTION
    if rank > size - demoted:
        return Zone.DEMOTION
    return Zone.SAFE
