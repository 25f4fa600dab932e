"""Celery adapters for billing's periodic work."""

from celery import shared_task

from billing.services import commission_release_due


@shared_task(name="billing.release_commissions")
def release_commissions() -> int:
    """Daily: commissions past the refund window become payable."""
    return commission_release_due()
