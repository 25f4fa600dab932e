"""Reads: plans, what a user has paid for, affiliate figures and revenue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from billing.models import (
    PLAN_RANK,
    Affiliate,
    Bundle,
    Commission,
    Invoice,
    Plan,
    Purchase,
    Subscription,
)


def plan_list() -> QuerySet[Plan]:
    """Active plans, cheapest first."""
    return Plan.objects.filter(is_active=True).order_by("monthly_price_cents")


def bundle_list() -> QuerySet[Bundle]:
    """Active bundles with their courses."""
    return Bundle.objects.filter(is_active=True).prefetch_related("courses")


def _entitling_subscriptions(*, user: Any, now: datetime) -> QuerySet[Subscription]:
    grace_start = now - timedelta(days=settings.BILLING_GRACE_PERIOD_DAYS)
    return Subscription.objects.filter(subscriber=user).filter(
        Q(status__in=[Subscription.Status.ACTIVE, Subscription.Status.TRIALING])
        # Dunning: a past-due subscription keeps its access for the grace period.
        | Q(status=Subscription.Status.PAST_DUE, past_due_since__gt=grace_start)
        | Q(status=Subscription.Status.PAST_DUE, past_due_since__isnull=True)
    )


def subscription_current_get(*, user: Any) -> Subscription | None:
    """The user's newest subscription that is not over (or None)."""
    return (
        Subscription.objects.filter(subscriber=user)
        .exclude(status__in=[Subscription.Status.CANCELED, Subscription.Status.INCOMPLETE_EXPIRED])
        .select_related("plan")
        .order_by("-created_at")
        .first()
    )


# The attribute `request_user_with_plan_rank` puts on a session request's user.
REQUEST_PLAN_RANK = "request_plan_rank"


def request_user_with_plan_rank(users: QuerySet[Any]) -> QuerySet[Any]:
    """settings.REQUEST_USER_LOADERS: the rank of each user's entitling plan at load time (a
    subquery of the user's own query, so entitlement checks on a page cost no query)."""
    rank = Case(
        *(When(plan__tier=tier, then=Value(value)) for tier, value in PLAN_RANK.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    best = (
        _entitling_subscriptions(user=OuterRef("pk"), now=timezone.now())
        .annotate(rank=rank)
        .order_by("-rank")
        .values("rank")[:1]
    )
    return users.annotate(**{REQUEST_PLAN_RANK: Subquery(best, output_field=IntegerField())})


def plan_rank_for_user(*, user: Any, now: datetime | None = None) -> int:
    """The rank of the highest plan that currently gives the user access (0: none); read from
    the request's user when it was loaded with it and no other moment is asked for."""
    if not getattr(user, "is_authenticated", False):
        return 0
    if now is None and hasattr(user, REQUEST_PLAN_RANK):
        return getattr(user, REQUEST_PLAN_RANK) or 0
    tiers = _entitling_subscriptions(user=user, now=now or timezone.now()).values_list(
        "plan__tier", flat=True
    )
    return max((PLAN_RANK[tier] for tier in tiers), default=0)


def purchased_course_ids(*, user: Any) -> set[int]:
    """Courses the user owns through a paid (not refunded) purchase of the course or a bundle."""
    if not getattr(user, "is_authenticated", False):
        return set()
    paid = Purchase.objects.filter(buyer=user, status=Purchase.Status.PAID)
    direct = paid.filter(course__isnull=False).values_list("course_id", flat=True)
    bundled = Bundle.courses.through.objects.filter(
        bundle__purchases__in=paid.filter(bundle__isnull=False)
    ).values_list("course_id", flat=True)
    return set(direct) | set(bundled)


def user_owns_course(*, user: Any, course_id: int) -> bool:
    """Has the user bought this course, alone or in a bundle (and not been refunded)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        Purchase.objects.filter(buyer=user, status=Purchase.Status.PAID)
        .filter(Q(course_id=course_id) | Q(bundle__courses__id=course_id))
        .exists()
    )


def purchase_list_for_user(*, user: Any) -> QuerySet[Purchase]:
    """The user's purchases, newest first."""
    return Purchase.objects.filter(buyer=user).select_related("course", "bundle")


def invoice_list_for_user(*, user: Any) -> QuerySet[Invoice]:
    """The user's subscription invoices, newest first."""
    return Invoice.objects.filter(customer=user).select_related("subscription__plan")


@dataclass(frozen=True)
class AffiliateStats:
    clicks: int
    signups: int
    conversions: int
    pending_cents: int
    payable_cents: int
    paid_cents: int
    reversed_cents: int


def affiliate_stats(*, affiliate: Affiliate) -> AffiliateStats:
    """Clicks, sign-ups, paying referred customers and earnings by status (two queries)."""
    referrals = affiliate.referrals.aggregate(
        signups=Count("id"),
        conversions=Count(
            "id",
            filter=Q(commissions__isnull=False) & ~Q(commissions__status="reversed"),
            distinct=True,
        ),
    )
    sums = Commission.objects.filter(affiliate=affiliate).aggregate(
        **{
            status: Sum("amount_cents", filter=Q(status=status), default=0)
            for status in Commission.Status.values
        }
    )
    return AffiliateStats(
        clicks=affiliate.click_count,
        signups=referrals["signups"],
        conversions=referrals["conversions"],
        pending_cents=sums["pending"],
        payable_cents=sums["payable"],
        paid_cents=sums["paid"],
        reversed_cents=sums["reversed"],
    )


def commission_list_for_affiliate(*, affiliate: Affiliate) -> QuerySet[Commission]:
    """The affiliate's commissions, newest first, with the referred user."""
    return Commission.objects.filter(affiliate=affiliate).select_related("referral__referred_user")


@dataclass(frozen=True)
class RevenueReport:
    mrr_cents: int
    active_subscriptions: int
    new_subscriptions: int
    churned_subscriptions: int
    subscription_revenue_cents: int
    purchase_revenue_cents: int
    refunded_cents: int
    revenue_per_course: list[dict[str, Any]]
    revenue_per_instructor: list[dict[str, Any]]


def revenue_report(*, start: datetime, end: datetime) -> RevenueReport:
    """Revenue figures for analytics over [start, end): MRR now, movements and money in the
    period, revenue per course (single purchases; bundles split evenly) and per instructor
    (their share, split evenly between a course's instructors)."""
    active = Subscription.objects.filter(
        status__in=[Subscription.Status.ACTIVE, Subscription.Status.PAST_DUE]
    ).select_related("plan")
    mrr = sum(
        sub.plan.monthly_price_cents
        if sub.interval == Subscription.Interval.MONTH
        else round(sub.plan.yearly_price_cents / 12)
        for sub in active
    )
    period = {"created_at__gte": start, "created_at__lt": end}
    invoices = Invoice.objects.filter(paid_at__gte=start, paid_at__lt=end).exclude(
        status=Invoice.Status.FAILED
    )
    purchases = Purchase.objects.filter(**period).prefetch_related(
        "course__instructors", "bundle__courses__instructors"
    )
    per_course: dict[int, dict[str, Any]] = {}
    per_instructor: dict[int, dict[str, Any]] = {}
    share = settings.BILLING_INSTRUCTOR_SHARE_PERCENT / 100
    for purchase in purchases:
        if purchase.status != Purchase.Status.PAID:
            continue
        courses = [purchase.course] if purchase.course else list(purchase.bundle.courses.all())
        for course in courses:
            amount = purchase.amount_cents / len(courses)
            row = per_course.setdefault(
                course.pk, {"course_id": course.pk, "title": course.title, "revenue_cents": 0.0}
            )
            row["revenue_cents"] += amount
            instructors = list(course.instructors.all())
            for instructor in instructors:
                entry = per_instructor.setdefault(
                    instructor.pk,
                    {"instructor_id": instructor.pk, "name": str(instructor), "share_cents": 0.0},
                )
                entry["share_cents"] += amount * share / len(instructors)
    refunded = (
        Purchase.objects.filter(refunded_at__gte=start, refunded_at__lt=end).aggregate(
            total=Sum("amount_cents", default=0)
        )["total"]
        + Invoice.objects.filter(refunded_at__gte=start, refunded_at__lt=end).aggregate(
            total=Sum("amount_cents", default=0)
        )["total"]
    )
    return RevenueReport(
        mrr_cents=mrr,
        active_subscriptions=len(active),
        new_subscriptions=Subscription.objects.filter(**period).count(),
        churned_subscriptions=Subscription.objects.filter(
            canceled_at__gte=start, canceled_at__lt=end
        ).count(),
        subscription_revenue_cents=invoices.aggregate(total=Sum("amount_cents", default=0))[
            "total"
        ],
        purchase_revenue_cents=sum(
            p.amount_cents for p in purchases if p.status == Purchase.Status.PAID
        ),
        refunded_cents=refunded,
        revenue_per_course=[
            {**row, "revenue_cents": round(row["revenue_cents"])}
            for row in sorted(per_course.values(), key=lambda r: -r["revenue_cents"])
        ],
        revenue_per_instructor=[
            {**row, "share_cents": round(row["share_cents"])}
            for row in sorted(per_instructor.values(), key=lambda r: -r["share_cents"])
        ],
    )
