"""Billing's part of a user's data export and of account deletion (settings USER_DATA_EXPORTERS
/ USER_DATA_ERASERS, called by accounts.privacy without importing this app)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from djstripe import models as djstripe_models

from billing import stripe_client
from billing.exceptions import (
    PaymentsNotConfiguredError,
    StripeTransientError,
    StripeUnavailableError,
)
from billing.models import (
    Affiliate,
    Invoice,
    Purchase,
    Referral,
    StripeCustomerErasure,
    Subscription,
)
from core.exceptions import ConflictError

logger = logging.getLogger(__name__)

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


# What identifies the person in dj-stripe's mirror of a Stripe customer (`stripe_data`, the
# object as Stripe sent it): the fields erased at Stripe too, and the tax ids and payment
# sources it lists. Everything else (ids, currency, balance, the invoice prefix) stays.
PERSONAL_CUSTOMER_FIELDS = (
    *stripe_client.REDACTED_CUSTOMER_FIELDS,
    "tax_ids",
    "sources",
    "default_source",
)
# Metadata keys that hold Lumen ids only (the anonymised account's), which refunds and later
# webhooks use to find the ledger's rows; every other metadata value goes.
KEPT_METADATA_KEYS = ("djstripe_subscriber", "user_id")


def _customers_anonymise(user_id: int) -> list[str]:
    """Strip the person from the user's dj-stripe customers; the Stripe ids and the link to the
    (anonymised) account stay, so the ledger, refunds and webhooks still find them. Returns the
    customers' Stripe ids."""
    customers = djstripe_models.Customer.objects.select_for_update().filter(subscriber_id=user_id)
    customer_ids = []
    for customer in customers.order_by("id"):
        customer_ids.append(customer.id)
        data = dict(customer.stripe_data or {})
        for field in PERSONAL_CUSTOMER_FIELDS:
            if field in data:
                data[field] = None
        metadata = {
            key: value
            for key, value in (customer.metadata or {}).items()
            if key in KEPT_METADATA_KEYS
        }
        if "metadata" in data:
            data["metadata"] = metadata
        customer.stripe_data = data
        customer.metadata = metadata
        customer.email = ""
        customer.save(update_fields=["stripe_data", "metadata", "email"])
    return customer_ids


# What became of a customer at Stripe (the erasure task's result, kept on its record).
StripeErasure = StripeCustomerErasure.Outcome
# Still to do: sent again by the sweep (NOT_CONFIGURED too, so configuring Stripe later finishes
# what the deletions before it asked for).
OPEN_ERASURES = (StripeErasure.PENDING, StripeErasure.NOT_CONFIGURED)
# The sweep leaves a request alone this long after its last attempt: longer than the task's own
# retries take (at most 95 minutes, see billing.tasks), so it never races a task still retrying.
ERASURE_RESEND_AFTER = timedelta(hours=2)


def _erasure_attempted(customer_id: str) -> None:
    StripeCustomerErasure.objects.filter(customer_id=customer_id).update(
        attempts=F("attempts") + 1, last_attempt_at=timezone.now()
    )


def _erasure_finished(customer_id: str, outcome: StripeErasure) -> StripeErasure:
    done = outcome not in OPEN_ERASURES
    StripeCustomerErasure.objects.update_or_create(
        customer_id=customer_id,
        defaults={"outcome": outcome, "completed_at": timezone.now() if done else None},
    )
    return outcome


def stripe_customer_erase(*, customer_id: str) -> StripeErasure:
    """Erase the person from the Stripe customer itself, as from the local copy (Lumen's ids in
    its metadata stay, the customer is not deleted: see `stripe_client.customer_redact`), and
    record the outcome on the customer's erasure request.

    Raises StripeTransientError while Stripe cannot be reached, for the task to retry (the
    request stays pending, for the sweep if the retries run out). A refusal is logged and
    recorded rather than raised: the same request would be refused again, so an operator has to
    look (a revoked key, say) and erase the customer in Stripe's dashboard.
    """
    _erasure_attempted(customer_id)
    try:
        redacted = stripe_client.customer_redact(
            customer_id=customer_id, kept_metadata_keys=KEPT_METADATA_KEYS
        )
    except PaymentsNotConfiguredError:
        logger.warning("Stripe is not configured: customer %s was not erased there.", customer_id)
        return _erasure_finished(customer_id, StripeErasure.NOT_CONFIGURED)
    except StripeTransientError:
        raise
    except StripeUnavailableError:
        logger.exception(
            "Stripe refused to erase customer %s; erase it in Stripe's dashboard.", customer_id
        )
        return _erasure_finished(customer_id, StripeErasure.REFUSED)
    return _erasure_finished(
        customer_id, StripeErasure.ERASED if redacted else StripeErasure.MISSING
    )


def stripe_erasures_due(*, now: datetime | None = None) -> list[str]:
    """The customers whose erasure is still to do and not being retried: never attempted (the
    broker was down at the deletion's commit, or the worker died first) or last attempted more
    than ERASURE_RESEND_AFTER ago (the task gave up, or Stripe was not configured)."""
    cutoff = (now or timezone.now()) - ERASURE_RESEND_AFTER
    return list(
        StripeCustomerErasure.objects.filter(outcome__in=OPEN_ERASURES)
        .filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=cutoff))
        .order_by("created_at")
        .values_list("customer_id", flat=True)
    )


def user_data_erase(*, user_id: int) -> None:
    """Refused while a subscription would still be charged (cancel it first, or it would keep
    billing a closed account). Subscriptions, purchases and invoices stay: they are accounting
    records. The affiliate account is closed, and the Stripe customer loses the person's name,
    e-mail, address, phone, description and personal metadata, in the local copy at once and at
    Stripe once the deletion commits (a task per customer, retried while Stripe is down, so the
    deletion neither waits for Stripe nor fails with it). The customer and its Stripe id stay, so
    refunds and webhooks still reach the ledger."""
    if (
        Subscription.objects.filter(subscriber_id=user_id, status__in=LIVE_STATUSES)
        .exclude(cancel_at_period_end=True)
        .exists()
    ):
        raise SubscriptionStillActiveError(
            "Cancel your subscription first (Billing, then Manage subscription); you can delete "
            "your account once it will not renew."
        )
    from billing import tasks  # tasks import this module

    Affiliate.objects.filter(user_id=user_id).update(is_active=False)
    for customer_id in _customers_anonymise(user_id):
        # In the deletion's transaction: the request outlives the broker and the task (the sweep).
        StripeCustomerErasure.objects.update_or_create(
            customer_id=customer_id,
            defaults={"outcome": StripeErasure.PENDING, "completed_at": None},
        )
        # robust: the account is deleted by then; a broker that is down must not turn that
        # into an error page (Django logs the failure).
        transaction.on_commit(
            lambda customer_id=customer_id: tasks.stripe_customer_erase.delay(customer_id),
            robust=True,
        )
