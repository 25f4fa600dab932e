"""`seed_load` stage 4: the XP ledger and each learner's denormalised totals.

A few learners earn most of the XP (the skew real leaderboards show). The totals and levels are
written from the same numbers, so `LearnerStats` agrees with the ledger as the services keep it.
With Redis, the global boards are rebuilt from the ledger at the end (each course's boards fill
as learners earn XP there, or all at once with `manage.py leaderboards_rebuild`).
"""

from __future__ import annotations

from datetime import timedelta

from core.bulk import LoadContext
from gamification import leaderboards
from gamification.levels import level_for_xp
from gamification.models import LearnerStats, XpTransaction
from gamification.rules import DEFAULTS, Action

ACTIONS = [
    (Action.LESSON_COMPLETED, 60),
    (Action.QUIZ_PASSED, 10),
    (Action.STREAK_DAY, 15),
    (Action.REVIEW_DONE, 10),
    (Action.CHALLENGE_COMPLETED, 3),
    (Action.COURSE_COMPLETED, 2),
]


def seed_xp(ctx: LoadContext) -> str:
    learners, courses = ctx.ranges["learners"], ctx.ranges["courses"]
    key_prefix = f"{ctx.prefix}:xp:"
    if XpTransaction.objects.filter(idempotency_key__startswith=key_prefix).exists():
        return "XP ledger already there"
    wanted = ctx.sizes["xp"]
    rng = ctx.rng("xp")
    actions = [action for action, weight in ACTIONS for _ in range(weight)]
    bases = DEFAULTS["XP_BASE"]
    totals = [0] * len(learners)
    year = 365 * 86400

    def rows():
        for n in range(wanted):
            index = min(len(learners) - 1, int(len(learners) * rng.random() ** 4))
            action = rng.choice(actions)
            amount = bases[action] + rng.randrange(0, 6)
            totals[index] += amount
            created = ctx.now - timedelta(seconds=rng.randrange(year))
            course = courses.start + rng.randrange(len(courses)) if action != "streak_day" else None
            yield (
                learners.start + index,
                action,
                amount,
                course,
                f"{key_prefix}{n}",
                created.date(),
                created.hour,
                created,
            )

    ctx.writer.write(
        XpTransaction,
        [
            "user_id",
            "action",
            "amount",
            "course_id",
            "idempotency_key",
            "local_date",
            "local_hour",
            "created_at",
        ],
        rows(),
        total=wanted,
        label="XP ledger",
    )
    earners = [(i, xp) for i, xp in enumerate(totals) if xp]
    ctx.writer.write(
        LearnerStats,
        ["user_id", "total_xp", "level"],
        ((learners.start + i, xp, level_for_xp(xp)) for i, xp in earners),
        total=len(earners),
        label="learner totals",
    )
    board_backend = leaderboards.backend()
    if isinstance(board_backend, leaderboards.RedisBackend):
        week = leaderboards.week_start_of(ctx.now)
        board_backend.rebuild(
            [
                leaderboards.Board(leaderboards.GLOBAL, leaderboards.ALL_TIME),
                leaderboards.Board(leaderboards.GLOBAL, leaderboards.WEEK, week_start=week),
            ]
        )
    return f"{wanted:,} XP rows for {len(earners):,} learners written"
