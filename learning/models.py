"""Learning modes and spaced revision.

Every quiz question a learner meets becomes a ReviewCard holding its FSRS state (the `fsrs`
package's Card: state, step, stability, difficulty, due, last review); each review appends a
ReviewLog row, so a card's schedule can be replayed (and re-fitted) from its history.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class Mode(models.TextChoices):
    STANDARD = "standard", "Standard"
    CHALLENGE = "challenge", "Challenge"
    RELAX = "relax", "Relax"
    BINGE = "binge", "Binge"


class LearningPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="learning_preference",
    )
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.STANDARD)
    desired_retention = models.FloatField(
        default=0.9,
        validators=[MinValueValidator(0.7), MaxValueValidator(0.97)],
        help_text="How likely you want to be to remember a card when it comes due (0.70-0.97).",
    )
    relax_interval_minutes = models.PositiveSmallIntegerField(
        default=25, validators=[MinValueValidator(5), MaxValueValidator(120)]
    )
    binge_countdown_seconds = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(3), MaxValueValidator(30)]
    )
    # Relax mode: active learning counted since the last break, from the time the player reports
    # (courses' lesson_time_spent), and when the last of it was counted.
    relax_active_seconds = models.PositiveIntegerField(default=0)
    relax_last_activity_at = models.DateTimeField(null=True, blank=True)
    # Binge mode: lessons completed in a row (a pause longer than BINGE_SESSION_GAP starts over).
    binge_run_count = models.PositiveIntegerField(default=0)
    binge_last_lesson_at = models.DateTimeField(null=True, blank=True)
    # FSRS parameters fitted to this learner's own review log (empty: the library's defaults).
    fsrs_parameters = models.JSONField(default=list, blank=True)
    fsrs_optimized_at = models.DateTimeField(null=True, blank=True)
    fsrs_optimized_reviews = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.mode}"


class CourseModePreference(models.Model):
    """A mode chosen for one course, overriding the learner's default there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_modes"
    )
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=12, choices=Mode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="learning_course_mode_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.course_id}: {self.mode}"


class ReviewCard(models.Model):
    class State(models.IntegerChoices):  # fsrs.State
        LEARNING = 1, "Learning"
        REVIEW = 2, "Review"
        RELEARNING = 3, "Relearning"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_cards"
    )
    # A card is a course quiz question, or a question of its own (an AI practice question the
    # learner answered): then `source_key` names it and the prompt, choices and answer live here.
    question = models.ForeignKey(
        "courses.Question",
        on_delete=models.CASCADE,
        related_name="review_cards",
        null=True,
        blank=True,
    )
    source_key = models.CharField(max_length=80, blank=True, default="")
    prompt = models.TextField(max_length=5000, blank=True, default="")
    choice_texts = models.JSONField(default=list, blank=True)
    answer_text = models.CharField(max_length=500, blank=True, default="")
    explanation = models.TextField(max_length=5000, blank=True, default="")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="+")
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField(default=timezone.now)
    last_review = models.DateTimeField(null=True, blank=True)
    reviews = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "question"], name="learning_card_once"),
            models.UniqueConstraint(
                fields=["learner", "source_key"],
                condition=~models.Q(source_key=""),
                name="learning_own_card_once",
            ),
            models.CheckConstraint(
                condition=models.Q(question__isnull=False) | ~models.Q(source_key=""),
                name="learning_card_has_a_question",
            ),
        ]
        indexes = [
            models.Index(fields=["learner", "due"], name="learning_card_due"),
            models.Index(fields=["learner", "course", "due"], name="learning_card_course_due"),
        ]

    def __str__(self) -> str:
        return f"card {self.pk}: {self.learner_id} / {self.question_id or self.source_key}"

    # What the review page and the API show, whichever kind of card this is. A quiz question's
    # choices come from `question.choices` (prefetched by the selectors).
    @property
    def kind(self) -> str:
        return self.question.kind if self.question is not None else "practice"

    @property
    def prompt_text(self) -> str:
        return self.question.text if self.question is not None else self.prompt

    @property
    def choice_list(self) -> list[dict[str, Any]]:
        if self.question is not None:
            return [{"id": c.pk, "text": c.text} for c in self.question.choices.all()]
        return [{"id": None, "text": text} for text in self.choice_texts]

    @property
    def answers(self) -> list[str]:
        if self.question is None:
            return [self.answer_text]
        correct = [c.text for c in self.question.choices.all() if c.is_correct]
        return correct or list(self.question.accepted_answers or [])

    @property
    def explanation_text(self) -> str:
        return self.question.explanation if self.question is not None else self.explanation


class ReviewLog(models.Model):
    class Rating(models.IntegerChoices):  # fsrs.Rating
        AGAIN = 1, "Again"
        HARD = 2, "Hard"
        GOOD = 3, "Good"
        EASY = 4, "Easy"

    class Source(models.TextChoices):
        REVIEW = "review", "Review session"
        QUIZ = "quiz", "Quiz answer"
        CHALLENGE = "challenge", "Challenge answer"
        PRACTICE = "practice", "AI practice answer"

    card = models.ForeignKey(ReviewCard, on_delete=models.CASCADE, related_name="logs")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.REVIEW)
    # The quiz attempt or challenge run that produced the rating: each one rates a card once.
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    reviewed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    due_after = models.DateTimeField()
    stability_after = models.FloatField(null=True)
    difficulty_after = models.FloatField(null=True)

    class Meta:
        ordering = ["reviewed_at", "id"]
        indexes = [models.Index(fields=["card", "reviewed_at"], name="learning_log_card_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["card", "source", "source_id"],
                condition=models.Q(source_id__isnull=False),
                name="learning_log_once_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"card {self.card_id} rated {self.rating} at {self.reviewed_at:%Y-%m-%d %H:%M}"


class ChallengeRun(models.Model):
    """A timed run of questions from one course or from a whole category's courses; the deadline
    is the server's, not the client's. Each course and each category has its own leaderboard."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="challenge_runs"
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    category = models.ForeignKey(
        "courses.Category", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    question_ids = models.JSONField(default=list)
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    correct_count = models.PositiveSmallIntegerField(default=0)
    score = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["course", "-score"], name="learning_challenge_board"),
            models.Index(fields=["category", "-score"], name="learning_category_board"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "course"],
                condition=models.Q(submitted_at__isnull=True, course__isnull=False),
                name="learning_one_open_challenge_per_course",
            ),
            models.UniqueConstraint(
                fields=["learner", "category"],
                condition=models.Q(submitted_at__isnull=True, category__isnull=False),
                name="learning_one_open_challenge_per_category",
            ),
            models.CheckConstraint(
                condition=models.Q(course__isnull=False, category__isnull=True)
                | models.Q(course__isnull=True, category__isnull=False),
                name="learning_challenge_course_or_category",
            ),
        ]

    def __str__(self) -> str:
        where = f"course {self.course_id}" if self.course_id else f"category {self.category_id}"
        return f"challenge {self.pk} by {self.learner_id} in {where}"

    @property
    def scope_title(self) -> str:
        """The course's or the category's name (select_related them to save queries)."""
        return self.course.title if self.course_id else self.category.name if self.category else ""
