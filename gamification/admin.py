"""Gamification in the admin: the ledger is read-only (XP only changes through the services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from gamification import services
from gamification.models import (
    LeaderboardSnapshot,
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


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(XpTransaction)
class XpTransactionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "action", "amount", "course", "reason"]
    list_filter = ["action"]
    search_fields = ["user__email", "idempotency_key", "reason"]
    list_select_related = ["user", "course"]
    date_hierarchy = "created_at"


@admin.register(LearnerStats)
class LearnerStatsAdmin(ReadOnlyAdmin):
    list_display = ["user", "total_xp", "level", "current_streak", "longest_streak"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    ordering = ["-total_xp"]


@admin.register(UserAchievement)
class UserAchievementAdmin(ReadOnlyAdmin):
    list_display = ["user", "code", "earned_at"]
    search_fields = ["user__email", "code"]
    list_select_related = ["user"]


@admin.register(LevelUp)
class LevelUpAdmin(ReadOnlyAdmin):
    list_display = ["user", "level", "reached_at"]
    list_select_related = ["user"]


class MembershipInline(admin.TabularInline):
    model = StudyGroupMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(StudyGroup)
class StudyGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "created_at"]
    search_fields = ["name", "owner__email"]
    raw_id_fields = ["owner"]
    inlines = [MembershipInline]


@admin.register(LeaderboardSnapshot)
class LeaderboardSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["week_start", "scope", "course", "rank", "user", "xp"]
    list_filter = ["scope", "week_start"]
    list_select_related = ["user", "course"]


class LeagueMembershipInline(admin.TabularInline):
    model = LeagueMembership
    extra = 0
    fields = ["user", "xp", "final_rank", "result"]
    readonly_fields = fields
    ordering = ["-xp", "user_id"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LeagueCohort)
class LeagueCohortAdmin(ReadOnlyAdmin):
    list_display = ["week_start", "tier", "number", "member_count", "settled_at"]
    list_filter = ["tier", "week_start"]
    inlines = [LeagueMembershipInline]


class XpActionSettingInline(admin.TabularInline):
    model = XpActionSetting
    extra = 0
    fields = ["action", "base", "daily_cap"]
    verbose_name = "action"
    verbose_name_plural = "Base XP and daily cap per action (a removed row falls back to settings)"


class XpDifficultySettingInline(admin.TabularInline):
    model = XpDifficultySetting
    extra = 0
    fields = ["difficulty", "multiplier"]
    verbose_name = "difficulty"
    verbose_name_plural = "Multiplier per course difficulty"


@admin.register(XpSettings)
class XpSettingsAdmin(admin.ModelAdmin):
    """One XP table: XP = base(action) x multiplier(difficulty) + streak bonus (capped)."""

    fieldsets = [
        ("Streak bonus", {"fields": ["streak_bonus_per_day", "streak_bonus_cap"]}),
        ("Streak freezes", {"fields": ["freeze_every_xp", "freeze_cap"]}),
    ]
    inlines = [XpActionSettingInline, XpDifficultySettingInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the one table exists from the first visit

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)
        table = services.xp_settings_get_or_create()
        return HttpResponseRedirect(
            reverse("admin:gamification_xpsettings_change", args=[table.pk])
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.xp_settings_saved()
