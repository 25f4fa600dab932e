"""Gamification state: the append-only XP ledger and what is derived from it.

Every XP change is one XpTransaction row with a unique idempotency key, so an event delivered
twice (a retried task, a double click, two servers) mints XP once. LearnerStats holds the
denormalised total, level and streaks, updated atomically next to the ledger row.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from courses.models import Course
from gamification.rules import Action

# Manual grants and bounties carry their own amount; every other action has a tunable base and
# cap.
TUNABLE_ACTION_CHOICES = [
    (key, label) for key, label in Action.CHOICES if key not in Action.UNTUNED
]
DIFFICULTY_CHOICES = Course.Difficulty.choices


class XpTransaction(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="xp_transactions"
    )
    action = models.CharField(max_length=40, choices=Action.CHOICES)
    amount = models.IntegerField(help_text="XP added (negative for a correction).")
    reason = models.CharField(max_length=200, blank=True)
    course = models.ForeignKey(
        "courses.Course",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="xp_transactions",
    )
    source_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    idempotency_key = models.CharField(max_length=200, unique=True)
    # The learner's local date and hour when it was minted (daily caps, streaks, "night owl").
    local_date = models.DateField()
    local_hour = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="gamif_xp_user_recent"),
            models.Index(fields=["user", "action", "local_date"], name="gamif_xp_user_action_day"),
            models.Index(fields=["course", "created_at"], name="gamif_xp_course_time"),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} XP to {self.user_id} for {self.action}"


class LearnerStats(models.Model):
    """Denormalised totals of one learner, kept in step with the ledger by the services."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="learner_stats",
    )
    total_xp = models.IntegerField(default=0)
    level = models.PositiveSmallIntegerField(default=1)
    current_streak = models.PositiveIntegerField(default=0)
    longest_streak = models.PositiveIntegerField(default=0)
    last_active_date = models.DateField(null=True, blank=True)
    current_weekly_streak = models.PositiveIntegerField(default=0)
    longest_weekly_streak = models.PositiveIntegerField(default=0)
    last_active_week = models.DateField(null=True, blank=True, help_text="Monday of that week.")
    streak_freezes = models.PositiveSmallIntegerField(default=0)
    streak_freezes_earned = models.PositiveIntegerField(default=0)
    is_hidden_from_leaderboards = models.BooleanField(default=False)
    league_tier = models.PositiveSmallIntegerField(
        default=1, help_text="Weekly league tier: 1 (Bronze) to 10 (Diamond)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "learner stats"
        indexes = [models.Index(fields=["-total_xp", "user"], name="gamif_stats_xp_rank")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.total_xp} XP, level {self.level}"


class ActivityDay(models.Model):
    """One learner's learning on one local day: the streak calendar's cells."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_days"
    )
    date = models.DateField()
    xp = models.IntegerField(default=0)
    is_frozen = models.BooleanField(default=False, help_text="Kept by a streak freeze.")

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="gamif_activity_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.date}"


class LevelUp(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="level_ups"
    )
    level = models.PositiveSmallIntegerField()
    reached_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-level"]
        constraints = [models.UniqueConstraint(fields=["user", "level"], name="gamif_levelup_once")]

    def __str__(self) -> str:
        return f"{self.user_id} reached level {self.level}"


class UserAchievement(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="achievements"
    )
    code = models.CharField(max_length=60)
    earned_at = models.DateTimeField(default=timezone.now)
    # The public id of the Open Badges assertion for this badge.
    assertion_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["-earned_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "code"], name="gamif_achievement_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.code}"


def _invite_code() -> str:
    return secrets.token_urlsafe(12)


class StudyGroup(models.Model):
    name = models.CharField(max_length=80)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_study_groups"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="StudyGroupMembership", related_name="study_groups"
    )
    invite_code = models.CharField(max_length=32, unique=True, default=_invite_code)
    created_at = models.DateTimeField(default=timezone.now)

    MAX_MEMBERS = 50

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class StudyGroupMembership(models.Model):
    group = models.ForeignKey(StudyGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_group_memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="gamif_group_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id}"


class LeaderboardSnapshot(models.Model):
    """A settled weekly board: who stood where when the week closed."""

    class Scope(models.TextChoices):
        GLOBAL = "global", "Everyone"
        COURSE = "course", "Course"

    scope = models.CharField(max_length=10, choices=Scope.choices)
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    week_start = models.DateField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveIntegerField()
    xp = models.IntegerField()

    class Meta:
        ordering = ["week_start", "scope", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["week_start", "user"],
                condition=Q(scope="global"),
                name="gamif_snapshot_global_once",
            ),
            models.UniqueConstraint(
                fields=["course", "week_start", "user"],
                condition=Q(scope="course"),
                name="gamif_snapshot_course_once",
            ),
            models.CheckConstraint(
                condition=Q(scope="global", course__isnull=True)
                | Q(scope="course", course__isnull=False),
                name="gamif_snapshot_scope_course",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} week {self.week_start}: #{self.rank} {self.user_id}"


class LeagueCohort(models.Model):
    """About 30 learners of one tier competing on XP for one week (Monday to Sunday, UTC)."""

    week_start = models.DateField()
    tier = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField(help_text="The cohort's number within its week and tier.")
    member_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-week_start", "-tier", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["week_start", "tier", "number"], name="gamif_cohort_number_once"
            )
        ]
        indexes = [
            models.Index(fields=["week_start", "tier", "member_count"], name="gamif_cohort_open"),
            models.Index(
                fields=["week_start"], condition=Q(settled_at=None), name="gamif_cohort_unsettled"
            ),
        ]

    def __str__(self) -> str:
        return f"Tier {self.tier} cohort {self.number}, week of {self.week_start}"


class LeagueMembership(models.Model):
    """One learner in one week's cohort: their XP that week and, once settled, the outcome."""

    class Result(models.TextChoices):
        PROMOTED = "promoted", "Promoted"
        STAYED = "stayed", "Stayed"
        DEMOTED = "demoted", "Demoted"

    cohort = models.ForeignKey(LeagueCohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="league_memberships"
    )
    week_start = models.DateField()
    tier = models.PositiveSmallIntegerField()
    xp = models.IntegerField(default=0)
    joined_at = models.DateTimeField(default=timezone.now)
    final_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    result = models.CharField(max_length=10, choices=Result.choices, blank=True)

    class Meta:
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["user", "week_start"], name="gamif_league_one_a_week")
        ]
        indexes = [models.Index(fields=["cohort", "-xp", "user"], name="gamif_league_rank")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.cohort_id}: {self.xp} XP"


class XpSettings(models.Model):
    """The XP table as an admin tuned it (one row). Without it, settings.GAMIFICATION applies."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    streak_bonus_per_day = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(100)], help_text="Bonus XP per day of the current streak."
    )
    streak_bonus_cap = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(1000)], help_text="The most streak bonus one award gets."
    )
    freeze_every_xp = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
        help_text="A streak freeze is earned for every this much XP.",
    )
    freeze_cap = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(10)], help_text="The most streak freezes held at once."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "XP table"
        verbose_name_plural = "XP table"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="gamif_xp_settings_one_row")]

    def __str__(self) -> str:
        return "XP table"


class XpActionSetting(models.Model):
    """The base XP and the daily cap of one action."""

    table = models.ForeignKey(XpSettings, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=40, choices=TUNABLE_ACTION_CHOICES)
    base = models.PositiveIntegerField(validators=[MaxValueValidator(10_000)])
    daily_cap = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
        help_text="The most XP this action mints per learner per local day; blank: no cap.",
    )

    class Meta:
        ordering = ["action"]
        constraints = [
            models.UniqueConstraint(fields=["table", "action"], name="gamif_xp_action_once")
        ]

    def __str__(self) -> str:
        return self.get_action_display()

    def clean(self) -> None:
        if self.daily_cap is not None and self.base is not None and self.daily_cap < self.base:
            raise ValidationError(
                {"daily_cap": "The daily cap must be at least the base XP, or blank for no cap."}
            )


class XpDifficultySetting(models.Model):
    """The multiplier for courses of one difficulty."""

    table = models.ForeignKey(XpSettings, on_delete=models.CASCADE, related_name="difficulties")
    difficulty = models.CharField(max_length=20, choices=DIFFICULTY_CHOICES)
    multiplier = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.10")), MaxValueValidator(Decimal("10"))],
    )

    class Meta:
        ordering = ["multiplier", "difficulty"]
        constraints = [
            models.UniqueConstraint(fields=["table", "difficulty"], name="gamif_xp_difficulty_once")
        ]

    def __str__(self) -> str:
        return self.get_difficulty_display()
