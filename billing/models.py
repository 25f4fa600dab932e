"""Plans, purchases, subscriptions and the affiliate program.

Stripe's own objects (customers, events, the raw subscriptions, invoices and charges) are
dj-stripe's models, synced from webhook events; these are Lumen's record of what each learner is
entitled to.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from courses.models import Course

# The order of the plans: a course open to a plan is open to every plan above it.
PLAN_RANK: dict[str, int] = {"free": 0, "basic": 1, "pro": 2, "premium": 3}


class Plan(TimeStampedModel):
    """A subscription tier with a monthly and a yearly price."""

    class Tier(models.TextChoices):
        BASIC = "basic", "Basic"
        PRO = "pro", "Pro"
        PREMIUM = "premium", "Premium"

    tier = models.CharField(max_length=16, choices=Tier.choices, unique=True)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    features = models.TextField(blank=True, help_text="One feature per line.")
    currency = models.CharField(max_length=3, default="usd")
    monthly_price_cents = models.PositiveIntegerField()
    yearly_price_cents = models.PositiveIntegerField()
    stripe_product_id = models.CharField(max_length=100, blank=True)
    stripe_monthly_price_id = models.CharField(max_length=100, blank=True, db_index=True)
    stripe_yearly_price_id = models.CharField(max_length=100, blank=True, db_index=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["monthly_price_cents"]

    def __str__(self) -> str:
        return self.name

    @property
    def rank(self) -> int:
        return PLAN_RANK[self.tier]

    @property
    def feature_list(self) -> list[str]:
        return [line.strip() for line in self.features.splitlines() if line.strip()]


class CoursePrice(TimeStampedModel):
    """The one-time price of a course bought on its own."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="price")
    currency = models.CharField(max_length=3, default="usd")
    amount_cents = models.PositiveIntegerField()
    stripe_price_id = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.course} ({self.amount_cents / 100:.2f} {self.currency.upper()})"


class Bundle(TimeStampedModel):
    """Several courses sold together for one price."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    courses = models.ManyToManyField(Course, related_name="bundles")
    currency = models.CharField(max_length=3, default="usd")
    amount_cents = models.PositiveIntegerField()
    stripe_price_id = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Subscription(TimeStampedModel):
    """A learner's subscription, as Stripe last told us about it."""

    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", "Incomplete"
        TRIALING = "trialing", "Trialing"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Past due"
        UNPAID = "unpaid", "Unpaid"
        CANCELED = "canceled", "Canceled"
        INCOMPLETE_EXPIRED = "incomplete_expired", "Incomplete (expired)"
        PAUSED = "paused", "Paused"

    class Interval(models.TextChoices):
        MONTH = "month", "Monthly"
        YEAR = "year", "Yearly"

    subscriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    interval = models.CharField(max_length=8, choices=Interval.choices, default=Interval.MONTH)
    status = models.CharField(max_length=24, choices=Status.choices, db_index=True)
    stripe_subscription_id = models.CharField(max_length=100, unique=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    past_due_since = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subscriber} · {self.plan} ({self.status})"


class Purchase(TimeStampedModel):
    """A one-time purchase of a course or a bundle."""

    class Status(models.TextChoices):
        PAID = "paid", "Paid"
        REFUNDED = "refunded", "Refunded"

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="purchases"
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="purchases"
    )
    bundle = models.ForeignKey(
        Bundle, on_delete=models.PROTECT, null=True, blank=True, related_name="purchases"
    )
    currency = models.CharField(max_length=3, default="usd")
    amount_cents = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PAID)
    stripe_checkout_session_id = models.CharField(max_length=100, unique=True)
    stripe_payment_intent_id = models.CharField(max_length=100, blank=True, db_index=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(course__isnull=False, bundle__isnull=True)
                | Q(course__isnull=True, bundle__isnull=False),
                name="billing_purchase_course_xor_bundle",
            )
        ]

    def __str__(self) -> str:
        return f"{self.buyer} · {self.course or self.bundle}"


class Invoice(TimeStampedModel):
    """A subscription invoice (paid, failed or refunded)."""

    class Status(models.TextChoices):
        PAID = "paid", "Paid"
        FAILED = "failed", "Payment failed"
        REFUNDED = "refunded", "Refunded"

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invoices"
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="invoices"
    )
    stripe_invoice_id = models.CharField(max_length=100, unique=True)
    stripe_payment_intent_id = models.CharField(max_length=100, blank=True, db_index=True)
    stripe_charge_id = models.CharField(max_length=100, blank=True, db_index=True)
    currency = models.CharField(max_length=3, default="usd")
    amount_cents = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices)
    hosted_invoice_url = models.URLField(max_length=500, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.stripe_invoice_id


class Affiliate(TimeStampedModel):
    """A user who earns a commission on the customers they refer."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="affiliate"
    )
    code = models.SlugField(max_length=32, unique=True)
    commission_percent = models.DecimalField(max_digits=5, decimal_places=2)
    click_count = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.code})"


class Referral(TimeStampedModel):
    """A user who signed up through an affiliate's link (a user is referred at most once)."""

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="referrals")
    referred_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referral"
    )

    def __str__(self) -> str:
        return f"{self.referred_user} via {self.affiliate.code}"


class Commission(TimeStampedModel):
    """An affiliate's share of one paid invoice or purchase."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending (refund window open)"
        PAYABLE = "payable", "Payable"
        PAID = "paid", "Paid"
        REVERSED = "reversed", "Reversed"

    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="commissions")
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="commissions")
    # "invoice:in_123" or "purchase:cs_123": one commission per paid source, whatever the retries.
    source = models.CharField(max_length=120, unique=True)
    currency = models.CharField(max_length=3, default="usd")
    amount_cents = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    payable_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.affiliate.code} · {self.source} ({self.status})"


class StripeCustomerErasure(TimeStampedModel):
    """An account deletion's request to erase the person from a Stripe customer, written in the
    deletion's own transaction, so it outlives a broker that is down at the commit, a task that
    exhausted its retries and a worker that died: the hourly sweep (billing.tasks) sends every
    one still pending again, and the admin lists those Stripe refused for an operator."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        ERASED = "erased", "Erased at Stripe"
        MISSING = "missing", "Stripe no longer has the customer"
        NOT_CONFIGURED = "not_configured", "Pending: Stripe is not configured"
        REFUSED = "refused", "Refused by Stripe: erase it in Stripe's dashboard"

    customer_id = models.CharField(max_length=255, unique=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["last_attempt_at"],
                name="billing_erasure_open",
                condition=Q(outcome__in=["pending", "not_configured"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.get_outcome_display()}"
