"""What the AI tools keep: cached lesson summaries, practice sets, study-buddy chats, usage."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.models import TimeStampedModel
from courses.models import Course, Lesson, Module


class GenerationStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class LessonSummary(TimeStampedModel):
    """One provider's summary of one version of a lesson (its text's SHA-256), shared by all
    learners of the lesson; a changed lesson gets a new row."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="ai_summaries")
    content_hash = models.CharField(max_length=64)
    provider = models.CharField(max_length=20)
    status = models.CharField(
        max_length=10, choices=GenerationStatus.choices, default=GenerationStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    summary = models.TextField(blank=True)
    key_points = models.JSONField(default=list, blank=True)
    takeaways = models.JSONField(default=list, blank=True)
    key_terms = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=300, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "lesson summaries"
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "content_hash", "provider"], name="ai_summary_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"Summary of {self.lesson} ({self.provider}, {self.status})"


class PracticeSet(TimeStampedModel):
    """Practice questions generated for a learner from a lesson or a whole module."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ai_practice_sets"
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, null=True, blank=True, related_name="ai_practice_sets"
    )
    module = models.ForeignKey(
        Module, on_delete=models.CASCADE, null=True, blank=True, related_name="ai_practice_sets"
    )
    title = models.CharField(max_length=250)
    # The lessons the questions come from: those the learner could open when asking.
    source_lesson_ids = models.JSONField(default=list, blank=True)
    content_hash = models.CharField(max_length=64)
    provider = models.CharField(max_length=20)
    question_count = models.PositiveSmallIntegerField()
    kinds = models.JSONField(default=list)
    difficulty = models.CharField(max_length=10)
    status = models.CharField(
        max_length=10, choices=GenerationStatus.choices, default=GenerationStatus.PENDING
    )
    questions = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=300, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    correct_count = models.PositiveSmallIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lesson__isnull=False) | models.Q(module__isnull=False),
                name="ai_practice_set_has_a_source",
            )
        ]

    def __str__(self) -> str:
        return f"Practice: {self.title}"


class Conversation(TimeStampedModel):
    """A learner's study-buddy chat about one course."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ai_conversations"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="ai_conversations")
    title = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title or f"Chat about {self.course}"


class ChatMessage(models.Model):
    class Role(models.TextChoices):
        USER = "user", "Learner"
        ASSISTANT = "assistant", "Study buddy"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    content = models.TextField(max_length=20000)
    citations = models.JSONField(default=list, blank=True)
    provider = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:40]}"


class AIUsage(models.Model):
    """A user's AI requests and tokens on one day (UTC): the quota counter."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ai_usage"
    )
    day = models.DateField()
    requests = models.PositiveIntegerField(default=0)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "AI usage"
        verbose_name_plural = "AI usage"
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="ai_usage_once_per_user_day")
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.day}: {self.requests} requests"
