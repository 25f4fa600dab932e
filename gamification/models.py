"""The XP ledger (append-only) and what is derived from it: profiles, counters, days, badges."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class XpLedgerEntry(models.Model):
    """One XP change. Never updated or deleted: a correction is a new entry.

    `idempotency_key` is unique, so an award retried by a client, a task or two racing requests
    is stored once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xp_ledger_entries"
    )
    amount = models.IntegerField()
    action = models.CharField(max_length=64, db_index=True)
    reason = models.CharField(max_length=255, blank=True)
    course = models.ForeignKey(
        "courses.Course",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="xp_ledger_entries",
    )
    source_type = models.CharField(max_length=100, blank=True)  # "app_label.model"
    source_id = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    local_date = models.DateField()  # the day in the user's time zone when it was earned
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "XP ledger entry"
        verbose_name_plural = "XP ledger"
        indexes = [
            models.Index(fields=["user", "action", "local_date"], name="gamif_ledger_daily_cap"),
            models.Index(fields=["created_at", "user"], name="gamif_ledger_week"),
            models.Index(fields=["course", "created_at"], name="gamif_ledger_course"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.amount:+d} XP ({self.action})"


class GamificationProfile(models.Model):
    """A user's totals, denormalised from the ledger with atomic updates under a row lock."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="gamification"
    )
    xp_total = models.IntegerField(default=0)
    level = models.PositiveSmallIntegerField(default=1)
    current_streak = models.PositiveIntegerField(default=0)
    longest_streak = models.PositiveIntegerField(default=0)
    last_active_date = models.DateField(null=True, blank=True)
    active_days = models.PositiveIntegerField(default=0)
    streak_freezes = models.PositiveSmallIntegerField(default=0)
    freezes_earned = models.PositiveIntegerField(default=0)  # ever, so XP earns each one once
    is_hidden_from_leaderboards = models.BooleanField(default=False)
    has_ledger_entries = models.BooleanField(default=False)  # ranked on the all-time board
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=100), name="gamif_profile_level_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.xp_total} XP, level {self.level}"


class ActivityCounter(models.Model):
    """How many times a user did a counted thing (the achievements' metrics)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_counters"
    )
    metric = models.CharField(max_length=64)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "metric"], name="gamif_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.metric}={self.value}"


class ActivityDay(models.Model):
    """A day (in the user's time zone) on which the user learned: the streak calendar."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_days"
    )
    date = models.DateField()
    xp = models.IntegerField(default=0)
    is_frozen = models.BooleanField(default=False)  # kept alive by a streak freeze

    class Meta:
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["user", "date"], name="gamif_day_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.date}"


class EarnedAchievement(models.Model):
    """An achievement a user unlocked (once); `assertion_id` is its public Open Badges id."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="achievements"
    )
    code = models.CharField(max_length=64)
    earned_at = models.DateTimeField(default=timezone.now)
    assertion_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["-earned_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "code"], name="gamif_achievement_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.code}"


class LevelUp(models.Model):
    """The history of levels reached."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="level_ups"
    )
    level = models.PositiveSmallIntegerField()
    reached_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reached_at", "-level"]
        constraints = [
            models.UniqueConstraint(fields=["user", "level"], name="gamif_level_up_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} reached {self.level}"
