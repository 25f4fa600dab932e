"""The Peer Help Center: questions, answers, comments, ratings, reputation, flags and follows.

Posts keep their Markdown source and the sanitised HTML rendered from it when they are written
(`courses.markdown.render_markdown`, nh3 underneath), so pages never render Markdown per view.
Counters that pages sort by or list are stored, never counted per view: an answer's star count
and total (the rating services, under the answer's row lock), a question's visible answers and
their star ratings, and a category's visible questions (qa.services.counters, with F() updates
from every service that creates, deletes, hides, shows, moves or rates a post;
`manage.py qa_counters_recount` recounts them from the posts).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVector
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.models import TimeStampedModel

SEARCH_CONFIG = "english"


def question_search_vector() -> SearchVector:
    """The full-text document of a question: title weighted above body.

    Migration 0002 builds a GIN index on exactly this expression on PostgreSQL, so searches
    (qa.selectors.question_list) use it without a stored column to keep up to date.
    """
    return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        "body", weight="B", config=SEARCH_CONFIG
    )


def _exactly_one(*fields: str) -> Q:
    """A condition that exactly one of the nullable foreign keys is set."""
    condition = Q()
    for chosen in fields:
        branch = Q(**{f"{chosen}__isnull": False})
        for other in fields:
            if other != chosen:
                branch &= Q(**{f"{other}__isnull": True})
        condition |= branch
    return condition


class Category(models.Model):
    """A topic questions are filed under (DevOps, Python, ...); admins manage them."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    keywords = models.TextField(
        blank=True,
        help_text=(
            "Comma-separated words or phrases. When the classifier is unsure, a question that "
            "mentions more of one category's keywords than any other's is filed there."
        ),
    )
    position = models.PositiveIntegerField(default=0, help_text="Lower comes first in lists.")
    is_active = models.BooleanField(
        default=True, help_text="Inactive categories take no new questions."
    )
    # Questions filed here that are not hidden (qa.services.counters keeps it exact).
    question_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip().lower() for word in self.keywords.split(",") if word.strip()]


class Tag(models.Model):
    """A free-form label on questions ("django", "css-grid"); created when first used."""

    name = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HideableMixin(models.Model):
    """Moderators (or enough flags) hide a post; hidden posts disappear for everyone else."""

    is_hidden = models.BooleanField(default=False, db_index=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when the post was hidden automatically by flags.",
    )
    hidden_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True


class Question(HideableMixin, TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"

    class CategorySource(models.TextChoices):
        NONE = "", "Not categorised"
        ASKER = "asker", "Chosen by the asker"
        CLASSIFIER = "classifier", "Chosen by the classifier"
        KEYWORDS = "keywords", "Chosen by keywords"
        EDITOR = "editor", "Changed by an editor"

    class CloseReason(models.TextChoices):
        DUPLICATE = "duplicate", "Duplicate of another question"
        OFF_TOPIC = "off_topic", "Off topic"
        RESOLVED = "resolved", "Resolved"
        NEEDS_DETAILS = "needs_details", "Needs more details"

    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_questions"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=20000, help_text="Markdown.")
    body_html = models.TextField(editable=False, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions"
    )
    category_source = models.CharField(
        max_length=16, choices=CategorySource.choices, default=CategorySource.NONE, blank=True
    )
    category_explanation = models.CharField(max_length=300, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="questions")
    course = models.ForeignKey(
        "courses.Course",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="qa_questions",
    )
    lesson = models.ForeignKey(
        "courses.Lesson",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="qa_questions",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    close_reason = models.CharField(max_length=16, choices=CloseReason.choices, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    view_count = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # The question's answers that are not hidden, and the star ratings those answers received
    # (the sum of their star_count): what lists show and sort by, whoever views them. Kept exact
    # by qa.services.counters.
    answer_count = models.PositiveIntegerField(default=0, editable=False)
    rating_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        # One index per order of the list (qa.selectors.question_list), each ending in the id
        # tie-break, so a page is read in order from the index and stops after its rows
        # (qa.tests.test_selectors checks the plans on PostgreSQL).
        indexes = [
            models.Index(fields=["status", "-last_activity_at"], name="qa_question_status_active"),
            models.Index(fields=["-created_at", "-id"], name="qa_question_newest"),
            models.Index(
                fields=["category", "-created_at", "-id"], name="qa_question_category_newest"
            ),
            models.Index(fields=["-last_activity_at", "-id"], name="qa_question_last_active"),
            models.Index(
                fields=["-rating_count", "-answer_count", "-created_at", "-id"],
                name="qa_question_votes",
            ),
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(answer_count=0) & ~Q(status="closed"),
                name="qa_question_unanswered",
            ),
            # PostgreSQL also has a GIN index on question_search_vector(), created by migration
            # 0002 outside the model state (SQLite has no GIN indexes).
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | ~Q(duplicate_of=models.F("id")),
                name="qa_question_not_duplicate_of_itself",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(close_reason=""),
                name="qa_question_closed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("qa:detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class Answer(HideableMixin, TimeStampedModel):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_answers"
    )
    body = models.TextField(max_length=20000, help_text="Markdown.")
    body_html = models.TextField(editable=False, blank=True)
    is_accepted = models.BooleanField(default=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    # Kept by the star-rating service under a lock on this row (see qa.services.ratings).
    star_count = models.PositiveIntegerField(default=0, editable=False)
    star_total = models.PositiveIntegerField(default=0, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["question", "created_at"], name="qa_answer_question")]
        constraints = [
            models.UniqueConstraint(
                fields=["question"],
                condition=Q(is_accepted=True),
                name="qa_one_accepted_answer_per_question",
            ),
            models.CheckConstraint(
                condition=Q(star_total__gte=models.F("star_count"))
                & Q(star_total__lte=models.F("star_count") * 5),
                name="qa_answer_star_total_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer {self.pk} to {self.question_id}"

    def get_absolute_url(self) -> str:
        return f"{reverse('qa:detail', args=[self.question_id])}#answer-{self.pk}"

    @property
    def star_average(self) -> float | None:
        """The plain mean of the stars (what people see), None before the first rating."""
        return self.star_total / self.star_count if self.star_count else None


class Comment(HideableMixin, TimeStampedModel):
    """A short remark on a question or on an answer (exactly one of the two)."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_comments"
    )
    body = models.CharField(max_length=600)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one("question", "answer"), name="qa_comment_has_one_parent"
            )
        ]

    def __str__(self) -> str:
        return self.body[:60]


class PostRevision(models.Model):
    """One version of a question or an answer; number 1 is the original."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="qa_revisions",
    )
    title = models.CharField(max_length=200, blank=True)
    body = models.TextField(max_length=20000)
    note = models.CharField(max_length=200, blank=True, help_text="What changed and why.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one("question", "answer"), name="qa_revision_has_one_post"
            ),
            models.UniqueConstraint(
                fields=["question", "number"],
                condition=Q(question__isnull=False),
                name="qa_revision_number_unique_per_question",
            ),
            models.UniqueConstraint(
                fields=["answer", "number"],
                condition=Q(answer__isnull=False),
                name="qa_revision_number_unique_per_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"Revision {self.number}"


class Flag(models.Model):
    """A report that a post breaks the rules; one per person and post."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        OFFENSIVE = "offensive", "Rude or offensive"
        OFF_TOPIC = "off_topic", "Off topic"
        DUPLICATE = "duplicate", "Duplicate"
        LOW_QUALITY = "low_quality", "Very low quality"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a moderator"
        UPHELD = "upheld", "Upheld: the post was hidden"
        DISMISSED = "dismissed", "Dismissed"

    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_flags"
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="flags"
    )
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one("question", "answer", "comment"),
                name="qa_flag_has_one_post",
            ),
            *(
                models.UniqueConstraint(
                    fields=["flagger", target],
                    condition=Q(**{f"{target}__isnull": False}),
                    name=f"qa_flag_once_per_{target}",
                )
                for target in ("question", "answer", "comment")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.get_status_display()})"

    @property
    def post(self) -> Question | Answer | Comment:
        return self.question or self.answer or self.comment  # type: ignore[return-value]  # the constraint guarantees one


class XpAward(models.Model):
    """XP an asker gives an answer to their question: once per answer, changeable briefly.

    `amount` is what the asker chose, the factor of gamification's XP formula; `ledger_amount`
    the XP the gamification ledger holds for the award (qa.services.ratings keeps it at what the
    formula gives for `amount`, within the daily cap).
    """

    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="xp_award")
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_xp_awards_given"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_xp_awards_received"
    )
    amount = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    ledger_amount = models.PositiveSmallIntegerField(default=0, editable=False)
    revision = models.PositiveSmallIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=1, amount__lte=10), name="qa_xp_award_amount_1_to_10"
            ),
            models.CheckConstraint(
                condition=~Q(giver=models.F("recipient")), name="qa_xp_award_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} XP for answer {self.answer_id}"


class StarRating(models.Model):
    """One person's 1-5 stars for an answer; rating again replaces it."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="star_ratings")
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_star_ratings"
    )
    stars = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "rater"], name="qa_one_star_rating_per_user"),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="qa_star_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stars} stars for answer {self.answer_id}"


class UserReputation(models.Model):
    """A user's reputation: the sum of their reputation events (kept by qa.services.reputation)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_reputation"
    )
    points = models.IntegerField(default=0, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.points}"


class ReputationEvent(models.Model):
    """One change to a user's reputation, and why; reversals point at what they undo."""

    class Kind(models.TextChoices):
        XP_AWARD = "xp_award", "Answer awarded XP by the asker"
        STARS = "stars", "Answer rated with stars"
        ACCEPTED = "accepted", "Answer accepted"
        ACCEPTING = "accepting", "Accepted an answer to own question"
        REVERSAL = "reversal", "Reversal"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_reputation_events"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    points = models.IntegerField()
    # What the rules would have given before the daily cap (equal to points when not capped).
    points_before_cap = models.IntegerField()
    counts_toward_cap = models.BooleanField(default=False)
    day = models.DateField(db_index=True, help_text="The UTC day the event counts toward.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="qa_reputation_caused",
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    star_rating = models.ForeignKey(
        StarRating, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    xp_award = models.ForeignKey(
        XpAward, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="reversal"
    )
    is_reversed = models.BooleanField(default=False)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "day", "counts_toward_cap"], name="qa_rep_event_cap"),
            models.Index(fields=["actor", "user", "created_at"], name="qa_rep_event_actor"),
        ]
        constraints = [
            # At most one live (not reversed) event per rating, award and acceptance.
            models.UniqueConstraint(
                fields=["star_rating"],
                condition=Q(kind="stars", is_reversed=False),
                name="qa_rep_one_live_event_per_star_rating",
            ),
            models.UniqueConstraint(
                fields=["xp_award"],
                condition=Q(kind="xp_award", is_reversed=False),
                name="qa_rep_one_live_event_per_xp_award",
            ),
            models.UniqueConstraint(
                fields=["answer", "kind"],
                condition=Q(kind__in=["accepted", "accepting"], is_reversed=False),
                name="qa_rep_one_live_acceptance_per_answer",
            ),
            models.CheckConstraint(
                condition=~Q(kind="reversal") | Q(reverses__isnull=False),
                name="qa_rep_reversal_reverses_an_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.points:+d} {self.get_kind_display()}"


class Follow(models.Model):
    """Someone follows a question, a category or a course's questions (exactly one)."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_follows"
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    course = models.ForeignKey(
        "courses.Course",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="qa_follows",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one("question", "category", "course"),
                name="qa_follow_has_one_target",
            ),
            *(
                models.UniqueConstraint(
                    fields=["follower", target],
                    condition=Q(**{f"{target}__isnull": False}),
                    name=f"qa_follow_once_per_{target}",
                )
                for target in ("question", "category", "course")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.follower} follows {self.question or self.category or self.course}"


class DigestSubscription(models.Model):
    """How often a user gets an email of activity in what they follow."""

    class Frequency(models.TextChoices):
        OFF = "off", "Never"
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_digest"
    )
    frequency = models.CharField(
        max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY, db_index=True
    )
    notify_as_expert = models.BooleanField(
        default=True,
        help_text="Email me new questions in categories where I am one of the top answerers.",
    )
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_frequency_display()}"


class Bounty(models.Model):
    """XP an asker (from gamification's BOUNTY_LEVEL) puts on their open question: taken from
    their balance when offered, given to the author of the answer they accept within the window,
    or refunded to them (qa.services.bounties). One open bounty per question."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        AWARDED = "awarded", "Awarded"
        REFUNDED = "refunded", "Refunded"

    # A deleted question keeps its bounty row, so the sponsor is refunded.
    question = models.ForeignKey(
        Question, on_delete=models.SET_NULL, null=True, blank=True, related_name="bounties"
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_bounties_offered"
    )
    amount = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(10), MaxValueValidator(100)]
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.ForeignKey(
        Answer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    awarded_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="qa_bounties_won",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "expires_at"], name="qa_bounty_to_settle")]
        constraints = [
            models.UniqueConstraint(
                fields=["question"],
                condition=Q(status="open"),
                name="qa_one_open_bounty_per_question",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=10, amount__lte=100), name="qa_bounty_amount_10_to_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} XP bounty on question {self.question_id} ({self.status})"
