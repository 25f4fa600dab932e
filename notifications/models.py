"""One notification per fact for one recipient, and what each user wants to receive where."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Kind(models.TextChoices):
    ANSWER_POSTED = "answer_posted", "New answer to your question"
    ANSWER_RATED = "answer_rated", "Your answer was rated"
    ANSWER_ACCEPTED = "answer_accepted", "Your answer was accepted"
    LEVEL_UP = "level_up", "Level up"
    ACHIEVEMENT = "achievement", "Achievement unlocked"
    COURSE_COMPLETED = "course_completed", "Course completed"
    ANNOUNCEMENT = "announcement", "Course announcement"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.CharField(max_length=500, blank=True)
    link = models.CharField(max_length=500, blank=True)
    # One notification per fact: the same event delivered twice does not notify twice.
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notifications_once_per_fact"
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                name="notif_unread",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(fields=["recipient", "-created_at"], name="notif_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"


class Preference(models.Model):
    """Per-kind channels for one user; no row means the defaults (in-app on, email off, push on:
    push only reaches devices the user subscribed, so subscribing is the opt-in)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=False)
    push = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notifications_pref_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class PushSubscription(models.Model):
    """One browser (device) subscribed to web push; the endpoint is that device's address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.endpoint[:60]}"
