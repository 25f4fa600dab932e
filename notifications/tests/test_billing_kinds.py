"""Subscription and payment events become the customer's notifications, from Stripe's signed
webhooks (a local fake Stripe) through dj-stripe and billing's handlers: once per fact, in the
app and by email by default."""

from __future__ import annotations

import time
from typing import Any

import pytest

from billing.templatetags.billing import money
from billing.tests import conftest as billing_fixtures
from billing.tests.factories import CoursePriceFactory
from billing.tests.test_webhooks import checkout_session, subscribe_through_checkout
from courses.models import Course
from courses.tests.factories import StudentFactory, course_with_outline
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db

# Billing's fixtures (its conftest is not this folder's): its entitlement rules and seeded plans
# (autouse), the fake Stripe server and signed webhook deliveries.
_billing_entitlements = billing_fixtures._billing_entitlements
_plans_seeded = billing_fixtures._plans_seeded
plans = billing_fixtures.plans
stripe_fake = billing_fixtures.stripe_fake
stripe_plans = billing_fixtures.stripe_plans
deliver = billing_fixtures.deliver


def _told(user: Any) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("kind", "title")
    )


def _renewal_invoice(fake: Any, subscription: dict[str, Any], **fields: Any) -> Any:
    return fake.store(
        {
            "id": fields.pop("id", "in_renewal"),
            "object": "invoice",
            "customer": subscription["customer"],
            "subscription": subscription["id"],
            "currency": "usd",
            "billing_reason": "subscription_cycle",
            **fields,
        }
    )


def test_a_subscription_tells_its_start_renewals_failure_and_end_once_each(
    stripe_plans: Any,
    stripe_fake: Any,
    deliver: Any,
    mailoutbox: list,
) -> None:
    learner = StudentFactory()
    price = money(stripe_plans["pro"].monthly_price_cents, "usd")
    events = subscribe_through_checkout(stripe_fake, deliver, learner)
    subscription = events[1]["data"]["object"]
    assert _told(learner) == [
        (Kind.SUBSCRIPTION, "Your Pro plan is active"),
        (Kind.PAYMENT, f"Payment received: {price}"),
    ]
    assert Notification.objects.get(kind=Kind.PAYMENT).body == "For your subscription. Thank you!"
    # Money matters go by email as well, unless the learner chose otherwise.
    assert [mail.subject for mail in mailoutbox] == [title for _, title in _told(learner)]
    assert mailoutbox[0].to == [learner.email]

    # A month later the renewal is paid (Stripe sends both invoice events for it).
    renewal = _renewal_invoice(
        stripe_fake, subscription, status="paid", paid=True, amount_paid=1900, amount_due=1900
    )
    for event_type in ("invoice.paid", "invoice.payment_succeeded"):
        assert deliver(stripe_fake.event(event_type, renewal)).status_code == 200
    assert _told(learner)[2:] == [(Kind.SUBSCRIPTION, "Your Pro plan renewed")]
    renewed = Notification.objects.get(title="Your Pro plan renewed")
    assert renewed.body.startswith("$19.00 paid. Next renewal on ")
    assert renewed.link == "/billing/"

    # The next renewal fails; Stripe retries and fails again; the plan goes past due.
    failed = _renewal_invoice(
        stripe_fake, subscription, id="in_failed", status="open", paid=False, amount_due=1900,
        amount_paid=0,
    )  # fmt: skip
    deliver(stripe_fake.event("invoice.payment_failed", failed))
    deliver(stripe_fake.event("invoice.payment_failed", failed))
    stripe_subscription = stripe_fake.objects[subscription["id"]]
    stripe_subscription["status"] = "past_due"
    deliver(stripe_fake.event("customer.subscription.updated", stripe_subscription))
    assert _told(learner)[3:] == [
        (Kind.PAYMENT, "Your payment of $19.00 failed"),
        (Kind.SUBSCRIPTION, "We could not renew your Pro plan"),
    ]

    # Stripe gives up and ends the subscription.
    stripe_fake.objects[subscription["id"]].update(status="canceled", canceled_at=int(time.time()))
    ended = stripe_fake.objects[subscription["id"]]
    deliver(stripe_fake.event("customer.subscription.deleted", ended))
    deliver(stripe_fake.event("customer.subscription.updated", ended))
    assert _told(learner)[5:] == [(Kind.SUBSCRIPTION, "Your Pro plan has ended")]
    assert Notification.objects.get(title="Your Pro plan has ended").link == "/pricing/"
    assert len(mailoutbox) == 6


def test_a_purchase_and_its_refund_notify_the_buyer_and_a_failed_payment_too(
    stripe_plans: Any,
    stripe_fake: Any,
    deliver: Any,
) -> None:
    buyer = StudentFactory()
    course = course_with_outline(required_plan=Course.Plan.PREMIUM, title="Data science")
    CoursePriceFactory(course=course, amount_cents=4900, stripe_price_id="price_course")
    stripe_fake.price_ensure("price_course", amount=4900, interval=None)
    (completed,) = stripe_fake.pay_checkout(checkout_session(buyer, course=course))
    deliver(completed)
    deliver(completed)  # a replay

    payment = completed["data"]["object"]["payment_intent"]
    charge = stripe_fake.objects[stripe_fake.objects[payment]["latest_charge"]]
    charge.update(refunded=True, amount_refunded=4900)
    deliver(stripe_fake.event("charge.refunded", charge))
    deliver(stripe_fake.event("charge.refunded", charge))  # a second event for the same refund
    assert _told(buyer) == [
        (Kind.PAYMENT, "Payment received: $49.00"),
        (Kind.PAYMENT, "Refund issued: $49.00"),
    ]
    assert Notification.objects.get(title="Refund issued: $49.00").body == (
        "For “Data science”. It reaches your account in a few days."
    )

    # Another learner's bank debit fails days after Checkout.
    other = StudentFactory()
    session_id = checkout_session(other, course=course)
    deliver(stripe_fake.pay_checkout(session_id, delayed=True)[0])
    deliver(stripe_fake.settle_checkout(session_id, succeeded=False)[0])
    assert _told(other) == [(Kind.PAYMENT, "Your payment of $49.00 failed")]


def test_a_customer_who_turned_payment_mail_off_gets_the_notice_in_the_app_only(
    stripe_plans: Any,
    stripe_fake: Any,
    deliver: Any,
    mailoutbox: list,
) -> None:
    from notifications import services

    learner = StudentFactory()
    services.preference_set(user=learner, kind=Kind.PAYMENT, in_app=True, email=False, push=False)
    subscribe_through_checkout(stripe_fake, deliver, learner)
    assert [kind for kind, _ in _told(learner)] == [Kind.SUBSCRIPTION, Kind.PAYMENT]
    assert [mail.subject for mail in mailoutbox] == ["Your Pro plan is active"]
