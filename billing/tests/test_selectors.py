"""Billing reads: the revenue report's movements and refunds fall in the period they happened."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from billing import selectors
from billing.models import Invoice, Subscription
from billing.tests.factories import PurchaseFactory, subscribe
from courses.tests.factories import StudentFactory, course_with_outline

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 4, 1, tzinfo=UTC)


def _on(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 12, tzinfo=UTC)


def _subscription(*, created: datetime, canceled: datetime | None = None) -> Subscription:
    subscription = subscribe(
        StudentFactory(),
        "pro",
        status=Subscription.Status.CANCELED if canceled else Subscription.Status.ACTIVE,
        canceled_at=canceled,
    )
    Subscription.objects.filter(pk=subscription.pk).update(created_at=created)
    return subscription


def test_the_revenue_report_counts_new_and_churned_subscriptions_and_refunds_of_its_period():
    _subscription(created=_on(1, 10), canceled=_on(3, 15))  # churned in the period
    _subscription(created=_on(3, 5))  # new in the period
    _subscription(created=_on(3, 6), canceled=_on(3, 20))  # new and churned in the period
    _subscription(created=_on(1, 5), canceled=_on(2, 20))  # churned before: not counted
    _subscription(created=_on(4, 5))  # new after: not counted
    _subscription(created=_on(3, 31).replace(hour=23, minute=59))  # the period's last minute
    _subscription(created=END, canceled=END)  # the end is outside the period
    course = course_with_outline()
    buyer = StudentFactory()
    PurchaseFactory(
        buyer=buyer, course=course, amount_cents=4900, status="refunded", refunded_at=_on(3, 10)
    )
    PurchaseFactory(
        buyer=buyer, course=course, amount_cents=3000, status="refunded", refunded_at=_on(4, 2)
    )
    Invoice.objects.create(
        customer=buyer,
        stripe_invoice_id="in_refunded_in_march",
        amount_cents=1900,
        status=Invoice.Status.REFUNDED,
        paid_at=_on(2, 28),
        refunded_at=_on(3, 12),
    )
    Invoice.objects.create(
        customer=buyer,
        stripe_invoice_id="in_refunded_in_february",
        amount_cents=700,
        status=Invoice.Status.REFUNDED,
        paid_at=_on(2, 1),
        refunded_at=_on(2, 3),
    )

    report = selectors.revenue_report(start=START, end=END)

    assert report.new_subscriptions == 3
    assert report.churned_subscriptions == 2
    assert report.refunded_cents == 4900 + 1900
    assert report.active_subscriptions == 3  # now, whatever the period
