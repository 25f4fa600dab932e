"""Celery adapters for billing's periodic work and for what account deletion asks of Stripe."""

from celery import shared_task

from billing import privacy
from billing.exceptions import StripeTransientError
from billing.services import commission_release_due


@shared_task(name="billing.release_commissions")
def release_commissions() -> int:
    """Daily: commissions past the refund window become payable."""
    return commission_release_due()


@shared_task(
    name="billing.stripe_customer_erase",
    acks_late=True,
    autoretry_for=(StripeTransientError,),
    # Each wait is random up to 60 s, 120 s, 240 s, 480 s, then Celery's 600 s cap: the twelve
    # add up to at most 95 minutes (half that on average) of a Stripe outage; then the task
    # fails, logged with the customer's id, and its erasure request stays pending for the hourly
    # sweep below. A refusal is not retried (the service logs and records it).
    retry_backoff=60,
    retry_jitter=True,
    max_retries=12,
)
def stripe_customer_erase(customer_id: str) -> str:
    """After an account deletion: erase the person from a Stripe customer (idempotent)."""
    return privacy.stripe_customer_erase(customer_id=customer_id).value


@shared_task(name="billing.stripe_erasures_resend")
def stripe_erasures_resend() -> int:
    """Hourly: send again every Stripe erasure still to do that no task is retrying (see
    privacy.stripe_erasures_due); returns how many were sent."""
    due = privacy.stripe_erasures_due()
    for customer_id in due:
        stripe_customer_erase.delay(customer_id)
    return len(due)
