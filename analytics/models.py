"""Analytics storage: an append-only event log and the daily roll-ups the dashboards read.

Events are facts that happened (never updated); facts are rebuilt from events by
`analytics.services.facts_rollup` (idempotent: a day is deleted and recomputed in one transaction).
Events keep the least personal data needed: a user id, a course id, an object id, a number and a
small `meta` dict; no names, e-mails, IP addresses or user agents.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from courses.models import Course


class Event(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", "Signed in"
        ENROLLED = "enrolled", "Enrolled"
        LESSON_VIEWED = "lesson_viewed", "Lesson viewed"
        HEARTBEAT = "heartbeat", "Active learning (seconds)"
        LESSON_COMPLETED = "lesson_completed", "Lesson completed"
        QUIZ_SUBMITTED = "quiz_submitted", "Quiz attempt submitted"
        QUIZ_PASSED = "quiz_passed", "Quiz passed"
        COURSE_COMPLETED = "course_completed", "Course completed"
        COURSE_PUBLISHED = "course_published", "Course published"
        QUESTION_ASKED = "question_asked", "Q&A question asked"
        QUESTION_ANSWERED = "question_answered", "Q&A question answered"
        PAYMENT = "payment", "Payment (value in cents)"
        REFUND = "refund", "Refund (value in cents)"

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The lesson, quiz, attempt or question the event is about (its kind says which).
    object_id = models.BigIntegerField(null=True, blank=True)
    # Seconds for heartbeats, percent for quiz attempts, cents for payments; 0 otherwise.
    value = models.IntegerField(default=0)
    meta = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["occurred_at"], name="analytics_event_occurred"),
            models.Index(fields=["course", "occurred_at"], name="analytics_event_course_time"),
            models.Index(fields=["user", "occurred_at"], name="analytics_event_user_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} user={self.user_id} course={self.course_id} at {self.occurred_at}"


class DailyCourseFact(models.Model):
    """One course's day: the funnel's steps taken that day, activity and learning time."""

    date = models.DateField()
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    enrollments = models.PositiveIntegerField(default=0)
    # Learners who completed their first lesson of the course that day.
    starters = models.PositiveIntegerField(default=0)
    # Learners whose completed lessons reached half the course's lessons that day.
    halfway = models.PositiveIntegerField(default=0)
    completions = models.PositiveIntegerField(default=0)
    active_learners = models.PositiveIntegerField(default=0)
    lessons_completed = models.PositiveIntegerField(default=0)
    learning_seconds = models.PositiveBigIntegerField(default=0)
    quiz_attempts = models.PositiveIntegerField(default=0)
    quiz_passes = models.PositiveIntegerField(default=0)
    questions_asked = models.PositiveIntegerField(default=0)
    # Questions that got their first answer (by someone other than the asker) that day.
    questions_answered = models.PositiveIntegerField(default=0)
    # One-time course purchases paid, and refunds issued, that day (cents).
    revenue_cents = models.PositiveBigIntegerField(default=0)
    refunds_cents = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["date", "course_id"]
        constraints = [
            models.UniqueConstraint(fields=["date", "course"], name="analytics_course_fact_day")
        ]
        indexes = [models.Index(fields=["course", "date"], name="analytics_cfact_course_date")]

    def __str__(self) -> str:
        return f"{self.course_id} on {self.date}"


class DailyLearnerFact(models.Model):
    """One learner's day in one course (course empty: activity outside any course, e.g. sign-in)."""

    date = models.DateField()
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    events = models.PositiveIntegerField(default=0)
    learning_seconds = models.PositiveBigIntegerField(default=0)
    lessons_completed = models.PositiveIntegerField(default=0)
    quiz_attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["date", "learner_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "learner", "course"],
                condition=Q(course__isnull=False),
                name="analytics_learner_fact_course_day",
            ),
            models.UniqueConstraint(
                fields=["date", "learner"],
                condition=Q(course__isnull=True),
                name="analytics_learner_fact_platform_day",
            ),
        ]
        indexes = [
            models.Index(fields=["date", "learner"], name="analytics_lfact_date_learner"),
            models.Index(fields=["course", "date"], name="analytics_lfact_course_date"),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} in {self.course_id} on {self.date}"


class WeeklyLearnerFact(models.Model):
    """One learner's ISO week (Monday to Sunday) in one course, or, with no course, in everything
    (every course and the activity outside them): the days active and the learning time.

    Rebuilt from `DailyLearnerFact` whenever a day of the week is rolled up. `days` holds one bit
    per weekday (bit 0 = Monday), so a count over any run of days (a day, the 7 or 30 days ending
    on one, a period's first and last partial weeks) reads these rows, never the daily ones.
    """

    week = models.DateField(help_text="The Monday.")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    days = models.PositiveSmallIntegerField(help_text="Bit n set: active on weekday n (Monday 0).")
    learning_seconds = models.PositiveBigIntegerField(default=0)
    # The learning seconds of each day, so a period's partial first and last weeks add up exactly.
    monday_seconds = models.PositiveIntegerField(default=0)
    tuesday_seconds = models.PositiveIntegerField(default=0)
    wednesday_seconds = models.PositiveIntegerField(default=0)
    thursday_seconds = models.PositiveIntegerField(default=0)
    friday_seconds = models.PositiveIntegerField(default=0)
    saturday_seconds = models.PositiveIntegerField(default=0)
    sunday_seconds = models.PositiveIntegerField(default=0)

    WEEKDAY_SECONDS = (
        "monday_seconds",
        "tuesday_seconds",
        "wednesday_seconds",
        "thursday_seconds",
        "friday_seconds",
        "saturday_seconds",
        "sunday_seconds",
    )

    class Meta:
        ordering = ["week", "learner_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["week", "learner", "course"],
                condition=Q(course__isnull=False),
                name="analytics_weekly_course_week",
            ),
            models.UniqueConstraint(
                fields=["week", "learner"],
                condition=Q(course__isnull=True),
                name="analytics_weekly_platform_week",
            ),
            models.CheckConstraint(
                condition=Q(days__gt=0, days__lt=128), name="analytics_weekly_days_mask"
            ),
        ]
        indexes = [
            models.Index(fields=["week", "learner"], name="analytics_wfact_week_learner"),
            models.Index(fields=["course", "week"], name="analytics_wfact_course_week"),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} in {self.course_id} in the week of {self.week}"


class LearnerCohortFact(models.Model):
    """The week (Monday) a learner was first active in a course, or, with no course, at all: the
    cohort that retention groups them in. Kept by the weekly roll-up."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    week = models.DateField()

    class Meta:
        ordering = ["week", "learner_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "course"],
                condition=Q(course__isnull=False),
                name="analytics_cohort_course_learner",
            ),
            models.UniqueConstraint(
                fields=["learner"],
                condition=Q(course__isnull=True),
                name="analytics_cohort_platform_learner",
            ),
        ]
        indexes = [models.Index(fields=["course", "week"], name="analytics_cohort_course_week")]

    def __str__(self) -> str:
        return f"{self.learner_id} first active in {self.course_id} in the week of {self.week}"


class QuestionResponseFact(models.Model):
    """A course question's first answer by someone other than its asker: when, and how long after
    the question it came (the median response time is read from these, never from events)."""

    question_id = models.BigIntegerField(unique=True)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    seconds = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["date", "question_id"]
        indexes = [models.Index(fields=["course", "date"], name="analytics_qfact_course_date")]

    def __str__(self) -> str:
        return f"question {self.question_id} answered after {self.seconds}s on {self.date}"


class DailyRevenueFact(models.Model):
    """The platform's money on one day: subscription invoices (monthly and yearly), one-time
    purchases (courses and bundles) and refunds, in cents. Per-course money: DailyCourseFact."""

    date = models.DateField(unique=True)
    subscription_monthly_cents = models.PositiveBigIntegerField(default=0)
    subscription_yearly_cents = models.PositiveBigIntegerField(default=0)
    purchase_cents = models.PositiveBigIntegerField(default=0)
    refunds_cents = models.PositiveBigIntegerField(default=0)
    # The part of refunds_cents that refunded subscription invoices.
    subscription_refunds_cents = models.PositiveBigIntegerField(default=0)
    # The subscription invoices refunded that day, each {"paid_on": ISO date or null, "interval":
    # "month" | "year", "cents": n}: MRR on a later day leaves out an invoice paid in its window
    # and refunded by then (the paid day tells the window; null: the payment is unknown here).
    refunded_invoices = models.JSONField(default=list, blank=True)
    payments = models.PositiveIntegerField(default=0)
    refunds = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"revenue on {self.date}"


class Nudge(models.Model):
    """An instructor's reminder to an at-risk learner; at most one per learner, course and day."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_on = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "learner", "sent_on"], name="analytics_nudge_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"nudge {self.learner_id} in {self.course_id} on {self.sent_on}"
