"""Learning modes: each learner's mode preference, FSRS review cards and logs, study activity."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from courses.models import Course, Question


class Mode(models.TextChoices):
    REVISION = "revision", "Revision"
    CHALLENGE = "challenge", "Challenge"
    RELAX = "relax", "Relax"
    BINGE = "binge", "Binge"


class LearningPreference(models.Model):
    """One row per learner: the mode they learn in and the settings of each mode."""

    learner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learning_preference"
    )
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.RELAX)
    desired_retention = models.FloatField(
        default=0.9,
        validators=[MinValueValidator(0.7), MaxValueValidator(0.99)],
        help_text="Share of cards FSRS aims to have you remember when they come due.",
    )
    # FSRS weights fitted to this learner's own review log; empty means the library defaults.
    fsrs_parameters = models.JSONField(default=list, blank=True)
    study_interval_minutes = models.PositiveSmallIntegerField(
        default=25, validators=[MinValueValidator(5), MaxValueValidator(120)]
    )
    break_minutes = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    autoplay_countdown_seconds = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(3), MaxValueValidator(30)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.learner} learns in {self.mode} mode"


class CourseModePreference(models.Model):
    """A learner's mode for one course, overriding their general mode."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_modes"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=16, choices=Mode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="unique_course_mode")
        ]

    def __str__(self) -> str:
        return f"{self.learner} learns {self.course_id} in {self.mode} mode"


class ReviewCard(models.Model):
    """A quiz question a learner met, with its FSRS memory state (mirrors `fsrs.Card`)."""

    class State(models.IntegerChoices):  # the values of fsrs.State
        LEARNING = 1, "Learning"
        REVIEW = 2, "Review"
        RELEARNING = 3, "Relearning"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_cards"
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    # Denormalised from question.quiz.lesson.module.course so "due in this course" is one index.
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True, default=0)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField(default=timezone.now)
    last_review = models.DateTimeField(null=True, blank=True)
    review_count = models.PositiveIntegerField(default=0)
    lapse_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "question"], name="unique_review_card")
        ]
        indexes = [
            models.Index(fields=["learner", "due"], name="review_card_due"),
            models.Index(fields=["learner", "course", "due"], name="review_card_course_due"),
        ]

    def __str__(self) -> str:
        return f"card {self.pk} of {self.learner} due {self.due:%Y-%m-%d %H:%M}"


class ReviewLog(models.Model):
    """One review of a card: what FSRS needs to replay or re-fit a learner's history."""

    class Rating(models.IntegerChoices):  # the values of fsrs.Rating
        AGAIN = 1, "Again"
        HARD = 2, "Hard"
        GOOD = 3, "Good"
        EASY = 4, "Easy"

    class Source(models.TextChoices):
        REVIEW = "review", "Review session"
        QUIZ = "quiz", "Quiz answer"

    card = models.ForeignKey(ReviewCard, on_delete=models.CASCADE, related_name="logs")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_logs"
    )
    number = models.PositiveIntegerField(help_text="1 for the card's first review, then 2, ...")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.REVIEW)
    reviewed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # The card as the review left it, so the log explains every due date.
    due_after = models.DateTimeField()
    stability_after = models.FloatField()
    difficulty_after = models.FloatField()

    class Meta:
        constraints = [
            # The backstop for double submits: one review per card and review number.
            models.UniqueConstraint(fields=["card", "number"], name="unique_review_number")
        ]
        indexes = [models.Index(fields=["learner", "reviewed_at"], name="review_log_learner")]

    def __str__(self) -> str:
        return f"review {self.number} of card {self.card_id}: {self.get_rating_display()}"


class StudyActivity(models.Model):
    """Relax mode's clock: active learning time since the last break, from player heartbeats."""

    learner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_activity"
    )
    active_seconds = models.PositiveIntegerField(default=0)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    break_started_at = models.DateTimeField(null=True, blank=True)
    # Binge mode: lessons completed in a row (a gap of more than BINGE_GAP ends the run).
    lessons_in_a_row = models.PositiveIntegerField(default=0)
    last_lesson_completed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.learner}: {self.active_seconds}s active"


class ChallengeRun(models.Model):
    """A timed challenge over a course's or a category's questions. The server sets the deadline
    when the run starts; reloading returns the same run and clock."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="challenge_runs"
    )
    # "course:<id>" or "category:<id>": the leaderboard a run counts on.
    scope = models.CharField(max_length=40)
    question_ids = models.JSONField(default=list)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    correct_count = models.PositiveSmallIntegerField(default=0)
    score = models.PositiveIntegerField(null=True, blank=True)
    is_expired = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "scope"],
                condition=models.Q(submitted_at__isnull=True, is_expired=False),
                name="one_open_challenge_run_per_scope",
            )
        ]
        indexes = [models.Index(fields=["scope", "-score"], name="challenge_leaderboard")]

    def __str__(self) -> str:
        return f"challenge run {self.pk} of {self.learner} on {self.scope}"
