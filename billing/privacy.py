"""Billing's part of a user's data export and of account deletion (settings USER_DATA_EXPORTERS
/ USER_DATA_ERASERS, called by accounts.privacy without importing this app)."""

from __future__ import annotations

from typing import Any

from billing.models import Affiliate, Invoice, Purchase, Referral, Subscription
from core.exceptions import ConflictError

# Subscriptions that will still be charged (or may be, once a payment is retried).
LIVE_STATUSES = (
    Subscription.Status.ACTIVE,
    Subscription.Status.TRIALING,
    Subscription.Status.PAST_DUE,
    Subscription.Status.UNPAID,
    Subscription.Status.INCOMPLETE,
    Subscription.Status.PAUSED,
)


class SubscriptionStillActiveError(ConflictError):
    default_code = "subscription_active"


def user_data_export(*, user_id: int) -> dict[str, Any]:
    """Subscriptions, purchases, invoices, and the affiliate account with its referrals."""
    return {
        "subscriptions": list(
            Subscription.objects.filter(subscriber_id=user_id)
            .order_by("created_at", "id")
            .values(
                "plan__name",
                "interval",
                "status",
                "current_period_end",
                "cancel_at_period_end",
                "canceled_at",
                "created_at",
            )
        ),
        "purchases": list(
            Purchase.objects.filter(buyer_id=user_id)
            .order_by("created_at", "id")
            .values("course_id", "bundle_id", "currency", "amount_cents", "status", "created_at")
        ),
        "invoices": list(
            Invoice.objects.filter(customer_id=user_id)
            .order_by("created_at", "id")
            .values(
                "stripe_invoice_id",
                "currency",
                "amount_cents",
                "status",
                "paid_at",
                "refunded_at",
                "hosted_invoice_url",
            )
        ),
        "affiliate": Affiliate.objects.filter(user_id=user_id)
        .values("code", "commission_percent", "click_count", "is_active", "created_at")
        .first(),
        "referred_customers": Referral.objects.filter(affiliate__user_id=user_id).count(),
    }


def user_data_erase(*, user_id: int) -> None:
    """Refused while a subscription would still be charged (cancel it first, or it would keep
    billing a closed account). Subscriptions, purchases and invoices stay: they are accounting
    records, and Stripe keeps its own customer record. The affiliate account is closed."""
    if (
        Subscription.objects.filter(subscriber_id=user_id, status__in=LIVE_STATUSES)
        .exclude(cancel_at_period_end=True)
        .exists()
    ):
        raise SubscriptionStillActiveError(
            "Cancel your subscription first (Billing, then Manage subscription); you can delete "
            "your account once it will not renew."
        )
    Affiliate.objects.filter(user_id=user_id).update(is_active=False)
