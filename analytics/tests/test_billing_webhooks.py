"""Money reaches analytics through billing's real webhook path (a fake Stripe, signed deliveries):
a subscription's first invoice and a course purchase and its refund become payment and refund
events, and the roll-up's revenue equals them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from analytics import selectors, services
from analytics.models import Event
from billing import services as billing_services
from billing.models import Purchase
from billing.tests.conftest import (  # noqa: F401 - the billing fixtures this module uses
    _billing_entitlements,
    _plans_seeded,
    deliver,
    plans,
    stripe_fake,
    stripe_plans,
)
from billing.tests.factories import CoursePriceFactory
from courses.models import Course
from courses.tests.factories import StudentFactory, course_with_outline

pytestmark = pytest.mark.django_db
URLS = {"success_url": "https://lumen.test/ok", "cancel_url": "https://lumen.test/cancel"}


def _session(user, **choice) -> str:
    return billing_services.checkout_create(user=user, **choice, **URLS).rsplit("/", 1)[1]


def test_webhook_payments_and_refunds_become_revenue(stripe_plans, stripe_fake, deliver):  # noqa: F811
    student = StudentFactory()
    for received in stripe_fake.pay_checkout(_session(student, plan_tier="pro")):
        assert deliver(received).status_code == 200
    course = course_with_outline(required_plan=Course.Plan.PREMIUM)
    CoursePriceFactory(course=course, amount_cents=4900, stripe_price_id="price_course")
    stripe_fake.price_ensure("price_course", amount=4900, interval=None)
    (completed,) = stripe_fake.pay_checkout(_session(student, course=course))
    deliver(completed)
    purchase = Purchase.objects.get()
    intent = stripe_fake.objects[purchase.stripe_payment_intent_id]
    charge = stripe_fake.objects[intent["latest_charge"]]
    charge.update(refunded=True, amount_refunded=4900)
    deliver(stripe_fake.event("charge.refunded", charge))

    rows = list(Event.objects.filter(kind__in=["payment", "refund"]).values())
    subscription = [r for r in rows if r["meta"]["source"] == "subscription"]
    assert len(subscription) == 1
    assert subscription[0]["meta"]["interval"] == "month"
    assert subscription[0]["value"] > 0
    assert sorted(
        (r["kind"], r["course_id"], r["value"]) for r in rows if r["meta"]["source"] == "purchase"
    ) == [("payment", course.pk, 4900), ("refund", course.pk, 4900)]

    today = timezone.localdate()
    services.facts_rollup(day=today)
    period = selectors.DateRange(today, today)
    platform = selectors.revenue_summary(course_ids=None, period=period)
    assert platform["mrr_cents"] == subscription[0]["value"]
    assert platform["revenue_cents"] == subscription[0]["value"] + 4900
    assert platform["refunds_cents"] == 4900
    course_money = selectors.revenue_summary(course_ids=[course.pk], period=period)
    assert (course_money["revenue_cents"], course_money["net_cents"]) == (4900, 0)
