"""One notification per fact for one recipient, and what each user wants to receive where."""

from __future__ import annotations

from dataclasses import dataclass

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
    XP_GAINED = "xp_gained", "XP earned today"
    STREAK_AT_RISK = "streak_at_risk", "Streak at risk"
    COURSE_PUBLISHED = "course_published", "New course from an instructor you follow"
    LESSON_PUBLISHED = "lesson_published", "New lesson in a course you take"
    SUBSCRIPTION = "subscription", "Your subscription"
    PAYMENT = "payment", "Payments and refunds"


@dataclass(frozen=True)
class Channels:
    in_app: bool
    email: bool
    push: bool


# Where a kind reaches a user who never changed it: in the app and by push (push only reaches
# devices the user subscribed, so subscribing is the opt-in), not by email; XP is only worth a
# line in the app; money matters arrive by email as well.
DEFAULT_CHANNELS = Channels(in_app=True, email=False, push=True)
KIND_DEFAULTS: dict[str, Channels] = {
    Kind.XP_GAINED: Channels(in_app=True, email=False, push=False),
    Kind.SUBSCRIPTION: Channels(in_app=True, email=True, push=False),
    Kind.PAYMENT: Channels(in_app=True, email=True, push=False),
}


def default_channels(kind: str) -> Channels:
    """The channels of a kind for a user who never chose."""
    return KIND_DEFAULTS.get(kind, DEFAULT_CHANNELS)


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
    """Per-kind channels for one user; no row means the kind's defaults (`default_channels`)."""

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


class InstructorFollow(models.Model):
    """A learner follows an instructor: each course the instructor publishes notifies them."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="instructor_follows"
    )
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followers"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["follower", "instructor"], name="notifications_follow_once"
            ),
            models.CheckConstraint(
                condition=~Q(follower=models.F("instructor")), name="notifications_follow_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.instructor_id}"


class LessonAnnouncement(models.Model):
    """A new lesson announced to its course's learners: claimed once, whatever repeats the event
    (a course unpublished and published again sends it again)."""

    lesson = models.OneToOneField(
        "courses.Lesson", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    announced_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"lesson {self.lesson_id} announced"
