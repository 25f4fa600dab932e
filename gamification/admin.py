"""Gamification in the admin. The ledger is append-only: read-only here; grants go through the
API's service (`xp_grant`). Profiles are derived: read-only except the privacy flag."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from gamification import services
from gamification.models import (
    ActivityCounter,
    EarnedAchievement,
    GamificationProfile,
    LevelUp,
    XpLedgerEntry,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(XpLedgerEntry)
class XpLedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "amount", "action", "course", "idempotency_key"]
    list_filter = ["action"]
    search_fields = ["user__email", "idempotency_key", "reason"]
    list_select_related = ["user", "course"]
    date_hierarchy = "created_at"


@admin.register(GamificationProfile)
class GamificationProfileAdmin(ReadOnlyAdmin):
    list_display = [
        "user",
        "xp_total",
        "level",
        "current_streak",
        "longest_streak",
        "streak_freezes",
        "is_hidden_from_leaderboards",
    ]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    actions = ["hide_from_leaderboards", "show_on_leaderboards"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser or request.user.has_perm(
            "gamification.change_gamificationprofile"
        )

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [field.name for field in self.model._meta.fields]

    @admin.action(description="Hide from public leaderboards")
    def hide_from_leaderboards(self, request: HttpRequest, queryset) -> None:
        for profile in queryset.select_related("user"):
            services.leaderboard_visibility_set(user=profile.user, is_hidden=True)

    @admin.action(description="Show on public leaderboards")
    def show_on_leaderboards(self, request: HttpRequest, queryset) -> None:
        for profile in queryset.select_related("user"):
            services.leaderboard_visibility_set(user=profile.user, is_hidden=False)


@admin.register(EarnedAchievement)
class EarnedAchievementAdmin(ReadOnlyAdmin):
    list_display = ["user", "code", "earned_at", "assertion_id"]
    list_filter = ["code"]
    search_fields = ["user__email", "code"]
    list_select_related = ["user"]


@admin.register(LevelUp)
class LevelUpAdmin(ReadOnlyAdmin):
    list_display = ["user", "level", "reached_at"]
    list_select_related = ["user"]


@admin.register(ActivityCounter)
class ActivityCounterAdmin(ReadOnlyAdmin):
    list_display = ["user", "metric", "value"]
    list_filter = ["metric"]
    list_select_related = ["user"]
