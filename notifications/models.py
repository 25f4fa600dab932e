"""Notifications: one row per message to one user, per-kind delivery preferences, push devices."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    """What a notification is about; preferences are kept per kind."""

    ANSWER_POSTED = "answer_posted", "New answer to your question"
    ANSWER_RATED = "answer_rated", "Your answer was rated or accepted"
    XP_AWARDED = "xp_awarded", "XP and level-ups"
    ACHIEVEMENT_UNLOCKED = "achievement_unlocked", "Achievement unlocked"
    STREAK_AT_RISK = "streak_at_risk", "Streak at risk"
    COURSE_PUBLISHED = "course_published", "New course from an instructor you follow"
    LESSON_ADDED = "lesson_added", "New lesson in a course you take"
    LEARNER_ENROLLED = "learner_enrolled", "A learner enrolled in your course"
    QUIZ_PASSED = "quiz_passed", "Quiz passed"
    COURSE_COMPLETED = "course_completed", "Course completed"
    ANNOUNCEMENT = "announcement", "Course announcements"
    BILLING = "billing", "Subscription and payments"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    # Set by callers that may run twice (a retried task, a re-sent event): one row per key.
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_recent"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notif_recipient_unread",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notif_unique_dedupe_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """How a user wants one kind delivered; a missing row means the defaults."""

    DEFAULTS = {"in_app": True, "email": False, "push": True}

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=False)
    push = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notif_pref_unique_user_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"


class PushSubscription(models.Model):
    """One browser (device) subscribed to web push; the endpoint is the device's address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.endpoint[:60]}"
