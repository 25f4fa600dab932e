"""Gamification's part of a user's data export and of account deletion (settings
USER_DATA_EXPORTERS / USER_DATA_ERASERS, called by accounts.privacy without importing this app).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from gamification import services
from gamification.models import (
    ActivityDay,
    LeagueMembership,
    LearnerStats,
    LevelUp,
    StudyGroup,
    StudyGroupMembership,
    UserAchievement,
    XpTransaction,
)


def user_data_export(*, user_id: int) -> dict[str, Any]:
    """The XP ledger, totals, streak calendar, levels, badges, leagues and study groups."""
    stats = (
        LearnerStats.objects.filter(user_id=user_id)
        .values(
            "total_xp",
            "level",
            "current_streak",
            "longest_streak",
            "current_weekly_streak",
            "longest_weekly_streak",
            "streak_freezes",
            "is_hidden_from_leaderboards",
            "league_tier",
        )
        .first()
    )
    return {
        "stats": stats,
        "xp_ledger": list(
            XpTransaction.objects.filter(user_id=user_id)
            .order_by("created_at", "id")
            .values("created_at", "action", "amount", "reason", "course_id", "local_date")
        ),
        "activity_days": list(
            ActivityDay.objects.filter(user_id=user_id).order_by("date").values("date", "xp")
        ),
        "levels_reached": list(
            LevelUp.objects.filter(user_id=user_id).order_by("level").values("level", "reached_at")
        ),
        "badges": list(
            UserAchievement.objects.filter(user_id=user_id)
            .order_by("earned_at", "id")
            .values("code", "earned_at", "assertion_id")
        ),
        "league_weeks": list(
            LeagueMembership.objects.filter(user_id=user_id)
            .order_by("week_start")
            .values("week_start", "tier", "xp", "final_rank", "result")
        ),
        "study_groups": list(
            StudyGroupMembership.objects.filter(user_id=user_id)
            .order_by("joined_at", "id")
            .values("group_id", "group__name", "group__owner_id", "joined_at")
        ),
    }


def user_data_erase(*, user_id: int) -> None:
    """The ledger, totals and league rows stay with the anonymised account (so every board,
    league and total stays what it was, and nothing is awarded twice); the learner is hidden
    from public boards, badges (public assertion pages) and group memberships go, and each group
    they own passes to its longest-standing other member (or goes, if it has none)."""
    user = get_user_model().objects.get(pk=user_id)
    services.leaderboard_visibility_set(user=user, hidden=True)
    UserAchievement.objects.filter(user_id=user_id).delete()
    StudyGroupMembership.objects.filter(user_id=user_id).delete()
    for group in StudyGroup.objects.filter(owner_id=user_id).select_for_update():
        heir = group.memberships.order_by("joined_at", "id").first()
        if heir is None:
            group.delete()
        else:
            group.owner_id = heir.user_id
            group.save(update_fields=["owner"])
