"""Courses: the catalog (categories, tags, skills, courses), the outline (modules, lessons, caption
tracks), quizzes, and each learner's enrollment, progress, quiz attempts and certificates.

Models hold fields, constraints and simple properties only; every write with a rule goes through
`courses.services`, every reusable read through `courses.selectors`.
"""

from __future__ import annotations

import math
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import (
    FileExtensionValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import TimeStampedModel
from courses.markdown import render_markdown
from courses.search import CourseSearchDocument
from courses.validators import validate_cover_image, validate_webvtt

# A video counts as watched once the learner has reached this share of its duration.
VIDEO_COMPLETION_THRESHOLD = Decimal("0.9")
# An article counts as read once the learner has reached its end and spent at least this share
# of its estimated reading time reading it (active time reported by the player).
READING_COMPLETION_SHARE = Decimal("0.5")
# The estimate when the instructor gave no duration: words at this pace, and never below the floor.
READING_WORDS_PER_MINUTE = 200
READING_MINIMUM_SECONDS = 30
# Quiz answers arriving this long after an attempt's deadline still count (network, clock skew).
QUIZ_DEADLINE_GRACE_SECONDS = 15

validate_language_code = RegexValidator(
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
    "Use a language code such as en, fr or pt-BR.",
    code="invalid_language",
)


def _upload_path(folder: str, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"courses/{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


def course_cover_upload_to(instance: Course, filename: str) -> str:
    return _upload_path("covers", filename)


def lesson_video_upload_to(instance: Lesson, filename: str) -> str:
    return _upload_path("videos", filename)


def caption_upload_to(instance: CaptionTrack, filename: str) -> str:
    return _upload_path("captions", filename)


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(max_length=1000, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Skill(models.Model):
    """What a quiz question tests (e.g. "List comprehensions"); spaced revision builds on it."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=110, unique=True)
    description = models.TextField(max_length=1000, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Course(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    class Difficulty(models.TextChoices):
        BEGINNER = "beginner", "Beginner"
        INTERMEDIATE = "intermediate", "Intermediate"
        ADVANCED = "advanced", "Advanced"
        EXPERT = "expert", "Expert"

    class Plan(models.TextChoices):
        FREE = "free", "Free"
        BASIC = "basic", "Basic"
        PRO = "pro", "Pro"
        PREMIUM = "premium", "Premium"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    subtitle = models.CharField(max_length=300, blank=True)
    description = models.TextField(max_length=20000, blank=True, help_text="Markdown.")
    cover_image = models.ImageField(
        upload_to=course_cover_upload_to, blank=True, validators=[validate_cover_image]
    )
    cover_image_alt = models.CharField(
        "cover image alt text",
        max_length=250,
        blank=True,
        help_text="Describe the image for people who cannot see it; required with an image.",
    )
    # {"320": "courses/covers/...-320.webp", ...}: responsive renditions of the cover image.
    cover_thumbnails = models.JSONField(default=dict, blank=True, editable=False)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="courses"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="courses")
    # Learners' ratings, kept in step with CourseReview by courses.services.reviews.
    rating_count = models.PositiveIntegerField(default=0, editable=False)
    rating_total = models.PositiveIntegerField(default=0, editable=False)
    # Counts the catalog sorts and shows, kept in step (F() updates in the same transaction) by
    # courses.services.counters; `manage.py courses_recount` recounts them from the rows.
    enrollment_count = models.PositiveIntegerField(default=0, editable=False)
    lesson_count = models.PositiveIntegerField(default=0, editable=False)
    total_duration_seconds = models.PositiveIntegerField(default=0, editable=False)
    difficulty = models.CharField(
        max_length=16, choices=Difficulty.choices, default=Difficulty.BEGINNER, db_index=True
    )
    language = models.CharField(
        max_length=16, default="en", validators=[validate_language_code], db_index=True
    )
    estimated_hours = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    instructors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="courses_taught", blank=True
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    required_plan = models.CharField(
        max_length=16,
        choices=Plan.choices,
        default=Plan.FREE,
        db_index=True,
        help_text="The subscription plan a learner needs to enroll (billing decides).",
    )
    early_access_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Until then only learners with early access (billing decides) can enroll.",
    )
    early_access_plan = models.CharField(
        max_length=16,
        choices=Plan.choices,
        blank=True,
        help_text=(
            "The plan that opens the course before its early-access date; blank: the site's "
            "early-access plan (billing decides)."
        ),
    )
    what_you_will_learn = models.TextField(
        max_length=4000, blank=True, help_text="One learning outcome per line."
    )
    # Kept by the database (see courses.search): catalog searches read it through a GIN index
    # instead of building every course's vector again.
    search_document = models.GeneratedField(
        expression=CourseSearchDocument(), output_field=SearchVectorField(), db_persist=True
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="courses_course_status_pub"),
            # The catalog's default order ("popular") among published courses.
            models.Index(
                fields=["status", "-enrollment_count", "-published_at", "-id"],
                name="courses_course_popular",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="courses_course_published_has_date",
            ),
            models.CheckConstraint(
                condition=Q(estimated_hours__gte=0), name="courses_course_hours_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.cover_image and not self.cover_image_alt.strip():
            raise ValidationError(
                {"cover_image_alt": "Describe the cover image for people who cannot see it."}
            )

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_free(self) -> bool:
        return self.required_plan == self.Plan.FREE

    @property
    def average_rating(self) -> float | None:
        """The learners' mean rating (1-5), or None before the first rating."""
        return round(self.rating_total / self.rating_count, 1) if self.rating_count else None

    @property
    def learning_outcomes(self) -> list[str]:
        return [line.strip() for line in self.what_you_will_learn.splitlines() if line.strip()]

    @property
    def description_html(self) -> str:
        return render_markdown(self.description)

    @property
    def cover_srcset(self) -> str:
        """`srcset` for the cover's responsive renditions ("url 320w, url 640w", or "")."""
        from django.core.files.storage import default_storage

        return ", ".join(
            f"{default_storage.url(name)} {width}w"
            for width, name in sorted(self.cover_thumbnails.items(), key=lambda i: int(i[0]))
        )

    def is_taught_by(self, user: Any) -> bool:
        """True for the course's instructors: from the prefetched instructors, or the answer the
        course's own query brought for its viewer (`taught_by_viewer`), when present."""
        if not getattr(user, "is_authenticated", False):
            return False
        if getattr(self, "viewer_id", None) == user.pk and hasattr(self, "taught_by_viewer"):
            return self.taught_by_viewer
        if "instructors" in getattr(self, "_prefetched_objects_cache", {}):
            return any(instructor.pk == user.pk for instructor in self.instructors.all())
        return self.instructors.filter(pk=user.pk).exists()


class Module(TimeStampedModel):
    """An ordered section of a course."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(max_length=200)
    summary = models.TextField(max_length=2000, blank=True)
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["course_id", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "order"], name="courses_module_order_unique_in_course"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(TimeStampedModel):
    class Kind(models.TextChoices):
        VIDEO = "video", "Video"
        ARTICLE = "article", "Article"
        QUIZ = "quiz", "Quiz"

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ARTICLE)
    order = models.PositiveIntegerField()
    video_file = models.FileField(
        upload_to=lesson_video_upload_to,
        blank=True,
        validators=[FileExtensionValidator(["mp4", "webm", "ogv", "ogg"])],
    )
    video_url = models.URLField(max_length=500, blank=True)
    transcript = models.TextField(max_length=100000, blank=True)
    body = models.TextField(
        max_length=100000, blank=True, help_text="Markdown: the article, or notes under a video."
    )
    duration_seconds = models.PositiveIntegerField(default=0)
    is_free_preview = models.BooleanField(
        default=False, help_text="Anyone can open this lesson without enrolling."
    )

    class Meta:
        ordering = ["module__order", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["module", "order"], name="courses_lesson_order_unique_in_module"
            )
        ]

    def __str__(self) -> str:
        return self.title

    # A draft lesson may still lack its video or text; publishing the course checks every lesson
    # (courses.services.course_readiness_problems).

    @property
    def body_html(self) -> str:
        return render_markdown(self.body)

    @property
    def reading_seconds_estimate(self) -> int:
        """How long the article takes to read: the duration its instructor gave, else its words
        at READING_WORDS_PER_MINUTE (never below READING_MINIMUM_SECONDS)."""
        if self.duration_seconds:
            return self.duration_seconds
        words = len(self.body.split())
        return max(math.ceil(words * 60 / READING_WORDS_PER_MINUTE), READING_MINIMUM_SECONDS)

    @property
    def reading_seconds_to_complete(self) -> int:
        """Active reading time an article needs (with its end reached) to count as read."""
        return math.ceil(self.reading_seconds_estimate * READING_COMPLETION_SHARE)

    @property
    def reading_minutes_estimate(self) -> int:
        return math.ceil(self.reading_seconds_estimate / 60)

    @property
    def completion_rule(self) -> str:
        """What completes this lesson, as the player and the API tell the learner."""
        if self.kind == self.Kind.QUIZ:
            return "Pass the quiz to complete this lesson."
        if self.kind == self.Kind.VIDEO:
            percent = int(VIDEO_COMPLETION_THRESHOLD * 100)
            return f"Watch {percent}% to complete, or mark it complete yourself."
        minutes = self.reading_minutes_estimate
        return (
            f"Read to the end to complete (about {minutes} minute{'s' if minutes != 1 else ''} "
            "of reading), or mark it complete yourself."
        )

    @property
    def video_source(self) -> str:
        """The URL the player loads: the uploaded file, or the external URL."""
        if self.video_file:
            return self.video_file.url
        return self.video_url


class CaptionTrack(models.Model):
    """A WebVTT captions or subtitles file for a video lesson."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="captions")
    file = models.FileField(
        upload_to=caption_upload_to,
        validators=[FileExtensionValidator(["vtt"]), validate_webvtt],
        help_text="A WebVTT (.vtt) file.",
    )
    language = models.CharField(
        max_length=16, validators=[validate_language_code], help_text="e.g. en, fr, pt-BR"
    )
    label = models.CharField(max_length=80, help_text="What the player shows, e.g. English.")
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["lesson_id", "-is_default", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["lesson", "language"], name="courses_caption_language_unique_in_lesson"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.language})"


class Quiz(TimeStampedModel):
    class Feedback(models.TextChoices):
        AFTER_SUBMIT = "after_submit", "After the attempt is submitted"
        IMMEDIATE = "immediate", "After each question, when the learner checks it"

    lesson = models.OneToOneField(
        Lesson,
        on_delete=models.CASCADE,
        related_name="quiz",
        limit_choices_to={"kind": Lesson.Kind.QUIZ},
    )
    time_limit_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty for no time limit."
    )
    max_attempts = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Empty for unlimited attempts.",
    )
    pass_mark_percent = models.PositiveSmallIntegerField(
        default=70, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    shuffle_questions = models.BooleanField(default=False)
    shuffle_choices = models.BooleanField(default=False)
    question_bank_sample_size = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Draw this many questions at random for each attempt; empty for all.",
    )
    negative_marking = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="Share of a question's points taken off for a wrong answer (0 to 1).",
    )
    is_exam = models.BooleanField(
        default=False, help_text="Hide the rest of the course while an attempt is running."
    )
    reveals_answers = models.BooleanField(
        default=True, help_text="Show correct answers and explanations after each attempt."
    )
    feedback = models.CharField(
        max_length=12,
        choices=Feedback.choices,
        default=Feedback.AFTER_SUBMIT,
        help_text=(
            "Immediate: learners check each answer as they go and see at once whether it is "
            "right, the right answer and its explanation; a checked answer can no longer be "
            "changed. Not for exams, nor for quizzes that do not reveal answers."
        ),
    )

    class Meta:
        verbose_name_plural = "quizzes"
        constraints = [
            models.CheckConstraint(
                condition=~Q(feedback="immediate") | (Q(is_exam=False) & Q(reveals_answers=True)),
                name="courses_quiz_immediate_feedback_reveals",
            ),
            models.CheckConstraint(
                condition=Q(pass_mark_percent__lte=100), name="courses_quiz_pass_mark_max_100"
            ),
            models.CheckConstraint(
                condition=Q(negative_marking__gte=0) & Q(negative_marking__lte=1),
                name="courses_quiz_negative_marking_fraction",
            ),
        ]

    def __str__(self) -> str:
        return f"Quiz: {self.lesson.title}"

    def clean(self) -> None:
        super().clean()
        if self.lesson_id and self.lesson.kind != Lesson.Kind.QUIZ:
            raise ValidationError("Only a quiz lesson can hold a quiz.", code="not_a_quiz_lesson")
        if self.feedback == self.Feedback.IMMEDIATE:
            if self.is_exam:
                raise ValidationError(
                    {"feedback": "An exam shows its feedback after it is submitted."},
                    code="immediate_feedback_exam",
                )
            if not self.reveals_answers:
                raise ValidationError(
                    {
                        "feedback": "Immediate feedback shows the right answers: let the quiz "
                        "reveal answers, or show feedback after the attempt."
                    },
                    code="immediate_feedback_hidden_answers",
                )


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        TRUE_FALSE = "true_false", "True or false"
        SHORT_ANSWER = "short_answer", "Short answer"

    CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.TRUE_FALSE})

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SINGLE)
    text = models.TextField(max_length=5000, help_text="Markdown.")
    explanation = models.TextField(
        max_length=5000, blank=True, help_text="Markdown, shown after the attempt."
    )
    order = models.PositiveIntegerField()
    skills = models.ManyToManyField(Skill, blank=True, related_name="questions")
    points = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])
    # Short answers: any of these, compared without regard to case or spacing.
    accepted_answers = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["quiz_id", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "order"], name="courses_question_order_unique_in_quiz"
            ),
            models.CheckConstraint(condition=Q(points__gte=1), name="courses_question_points_min"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def clean(self) -> None:
        super().clean()
        # Not keyed by field: admin forms edit the answers through a field of their own.
        if not isinstance(self.accepted_answers, list) or not all(
            isinstance(answer, str) for answer in self.accepted_answers
        ):
            raise ValidationError("Give the accepted answers as a list of texts.")
        if self.kind == self.Kind.SHORT_ANSWER and not any(
            answer.strip() for answer in self.accepted_answers
        ):
            raise ValidationError("A short-answer question needs at least one accepted answer.")

    @property
    def text_html(self) -> str:
        return render_markdown(self.text)

    @property
    def explanation_html(self) -> str:
        return render_markdown(self.explanation)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=500)
    is_correct = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question_id", "order", "id"]

    def __str__(self) -> str:
        return self.text


class Enrollment(TimeStampedModel):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    enrolled_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "course"], name="courses_enrollment_unique_learner_course"
            )
        ]
        indexes = [
            models.Index(
                fields=["learner", "-last_activity_at"], name="courses_enrollment_activity"
            ),
            models.Index(fields=["course", "enrolled_at"], name="courses_enrollment_course"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} in {self.course}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class LessonProgress(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress_records")
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Set the first time the lesson is completed and never cleared: the completion event fires
    # once however often the learner toggles "mark complete".
    first_completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    seconds_spent = models.PositiveIntegerField(default=0)
    last_position_seconds = models.PositiveIntegerField(default=0)
    # An article's end came into view (reported by the player); cleared when the learner unticks
    # the lesson, so the reading rule needs the end reached again.
    end_reached_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "lesson progress"
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "lesson"], name="courses_progress_unique_learner_lesson"
            )
        ]
        indexes = [
            models.Index(fields=["lesson", "completed_at"], name="courses_progress_lesson_done"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} on {self.lesson}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class QuizAttempt(models.Model):
    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        EXPIRED = "expired", "Time is up"
        SUBMITTED = "submitted", "Submitted"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The questions drawn for this attempt, in the order shown, and each one's choice order.
    question_ids = models.JSONField(default=list)
    choice_order = models.JSONField(default=dict)
    # {"<question id>": choice id | [choice ids] | "text"}
    answers = models.JSONField(default=dict, blank=True)
    # {"<question id>": {"is_answered": bool, "is_correct": bool, "points": "1.00"}} once graded;
    # while running, the questions checked so far (immediate feedback), whose answers are locked.
    results = models.JSONField(default=dict, blank=True)
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["quiz_id", "learner_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "quiz", "number"], name="courses_attempt_unique_number"
            ),
            models.UniqueConstraint(
                fields=["learner", "quiz"],
                condition=Q(submitted_at__isnull=True),
                name="courses_attempt_one_open_per_quiz",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0),
                name="courses_attempt_score_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner} on {self.quiz} (#{self.number})"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def state(self) -> str:
        if self.submitted_at is not None:
            return self.State.SUBMITTED
        if self.deadline is not None and timezone.now() > self.deadline:
            return self.State.EXPIRED
        return self.State.IN_PROGRESS

    @property
    def seconds_left(self) -> int | None:
        """Seconds until the deadline (never negative), or None without a time limit."""
        if self.deadline is None or self.submitted_at is not None:
            return None
        return max(int((self.deadline - timezone.now()).total_seconds()), 0)


class CourseReview(models.Model):
    """A learner's rating (1-5 stars) and optional comment on a course they take; one each."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="reviews")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_reviews"
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "learner"], name="courses_review_one_per_learner"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="courses_review_rating_1_5"
            ),
        ]
        indexes = [models.Index(fields=["course", "-updated_at"], name="courses_review_recent")]

    def __str__(self) -> str:
        return f"{self.rating}/5 for {self.course_id} by {self.learner_id}"


class Certificate(models.Model):
    """Proof that a learner finished a course; anyone can verify it by its public id."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certificates")
    issued_at = models.DateTimeField(default=timezone.now)
    # What the certificate says, frozen when issued: later renames do not change it.
    learner_name = models.CharField(max_length=200)
    course_title = models.CharField(max_length=200)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "course"], name="courses_certificate_unique_learner_course"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course_title}: {self.learner_name}"

    def get_absolute_url(self) -> str:
        """The public verification page (the HTML app names it courses:certificate_verify)."""
        from django.urls import NoReverseMatch, reverse

        try:
            return reverse("courses:certificate_verify", kwargs={"public_id": self.public_id})
        except NoReverseMatch:
            return f"/certificates/{self.public_id}/"
