"""Edges of the Stripe event handlers: events naming no one, repeats, partial and repeated refunds.

Each event goes through `stripe_event_apply`, the function dj-stripe's signal calls once per event
id; the objects are Stripe's JSON as a webhook carries it. dj-stripe has no synced copy of them,
so the handlers read the event's own snapshot, as they do for an object Stripe no longer has.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from djstripe import models as djstripe_models

from billing import events, services
from billing.exceptions import NothingToBuyError, PaymentsNotConfiguredError
from billing.models import Invoice, Purchase, Referral, Subscription
from billing.receivers import credit_referral_on_signup
from billing.tests.conftest import WEBHOOK_SECRET
from billing.tests.factories import BundleFactory, PurchaseFactory, SubscriptionFactory
from billing.tests.fake_stripe import FakeStripe, sign
from courses import entitlements
from courses.models import Course, Lesson
from courses.tests.factories import InstructorFactory, StudentFactory, course_with_outline

pytestmark = pytest.mark.django_db

URLS = {"success_url": "https://lumen.test/ok", "cancel_url": "https://lumen.test/cancel"}
EVENT_NAMES = (
    "subscription_started",
    "subscription_renewed",
    "subscription_cancelled",
    "subscription_past_due",
    "payment_succeeded",
    "payment_failed",
    "refund_issued",
)


@pytest.fixture
def published() -> Iterator[list[tuple[str, str]]]:
    """The billing events sent, as (event name, Stripe reference or subscription id)."""
    record: list[tuple[str, str]] = []
    receivers = []
    for name in EVENT_NAMES:

        def receiver(sender: Any, _name: str = name, **kwargs: Any) -> None:
            reference = kwargs.get("reference") or kwargs["subscription"].stripe_subscription_id
            record.append((_name, reference))

        getattr(events, name).connect(receiver, weak=False)
        receivers.append((name, receiver))
    yield record
    for name, receiver in receivers:
        getattr(events, name).disconnect(receiver)


@pytest.fixture
def apply(django_capture_on_commit_callbacks: Any) -> Callable[[str, dict[str, Any]], None]:
    def run(event_type: str, obj: dict[str, Any]) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            services.stripe_event_apply(
                event=djstripe_models.Event(type=event_type, data={"object": obj})
            )

    return run


def paid_session(**fields: Any) -> dict[str, Any]:
    return {"id": "cs_edge", "mode": "payment", "payment_status": "paid", **fields}


def test_an_event_type_lumen_does_not_handle_changes_nothing(apply, published):
    apply("customer.created", {"id": "cus_new", "metadata": {"user_id": "1"}})

    assert (Subscription.objects.count(), Invoice.objects.count(), Purchase.objects.count()) == (
        0,
        0,
        0,
    )
    assert published == []


def test_a_paid_session_naming_no_lumen_user_grants_nothing(apply, published):
    course = course_with_outline()

    apply("checkout.session.completed", paid_session(metadata={"course_id": str(course.pk)}))
    apply(
        "checkout.session.completed",
        paid_session(id="cs_other", metadata={"course_id": str(course.pk), "user_id": "abc"}),
    )

    assert Purchase.objects.count() == 0
    assert published == []


def test_the_metadata_user_buys_when_stripe_names_an_unknown_customer(apply, published):
    student = StudentFactory()
    course = course_with_outline()
    session = paid_session(
        customer={"id": "cus_unknown_to_lumen"},
        payment_intent={"id": "pi_expanded"},
        amount_total=4900,
        metadata={"user_id": str(student.pk), "course_id": str(course.pk)},
    )

    apply("checkout.session.completed", session)

    purchase = Purchase.objects.get()
    assert (purchase.buyer, purchase.course, purchase.stripe_payment_intent_id) == (
        student,
        course,
        "pi_expanded",
    )
    assert (purchase.amount_cents, purchase.currency) == (4900, "usd")
    assert published == [("payment_succeeded", "cs_edge")]


def test_a_paid_session_naming_no_course_or_bundle_grants_nothing(apply, published):
    student = StudentFactory()

    apply("checkout.session.completed", paid_session(client_reference_id=str(student.pk)))

    assert Purchase.objects.count() == 0
    assert published == []


def test_the_same_paid_session_reported_twice_is_one_purchase_and_one_payment(apply, published):
    student = StudentFactory()
    course = course_with_outline()
    session = paid_session(
        amount_total=4900, metadata={"user_id": str(student.pk), "course_id": str(course.pk)}
    )

    apply("checkout.session.completed", session)
    apply("checkout.session.async_payment_succeeded", session)

    assert Purchase.objects.filter(buyer=student, course=course).count() == 1
    assert published == [("payment_succeeded", "cs_edge")]


def subscription_object(user: Any, **fields: Any) -> dict[str, Any]:
    return {
        "id": "sub_edge",
        "status": "active",
        "metadata": {"user_id": str(user.pk)},
        "items": {"data": [{"price": {"id": "price_not_in_lumen", "recurring": {}}}]},
        **fields,
    }


def test_a_subscription_at_a_price_lumen_does_not_know_takes_the_plan_from_metadata(
    apply, published
):
    student = StudentFactory()
    obj = subscription_object(
        student, metadata={"user_id": str(student.pk), "plan": "pro", "interval": "year"}
    )

    apply("customer.subscription.created", obj)

    subscription = Subscription.objects.get()
    assert (subscription.subscriber, subscription.plan.tier, subscription.interval) == (
        student,
        "pro",
        "year",
    )
    assert published == [("subscription_started", "sub_edge")]


def test_a_subscription_to_an_unknown_plan_is_ignored(apply, published):
    student = StudentFactory()
    obj = subscription_object(student, metadata={"user_id": str(student.pk), "plan": "gold"})

    apply("customer.subscription.created", obj)

    assert Subscription.objects.count() == 0
    assert published == []


def test_an_update_that_keeps_the_status_publishes_nothing_more(apply, published):
    student = StudentFactory()
    obj = subscription_object(student, metadata={"user_id": str(student.pk), "plan": "pro"})

    apply("customer.subscription.created", obj)
    apply("customer.subscription.updated", dict(obj, cancel_at_period_end=True))

    subscription = Subscription.objects.get()
    assert (subscription.status, subscription.cancel_at_period_end) == ("active", True)
    assert published == [("subscription_started", "sub_edge")]


def invoice_object(user: Any | None, **fields: Any) -> dict[str, Any]:
    metadata = {"user_id": str(user.pk)} if user is not None else {}
    return {"id": "in_edge", "amount_paid": 1900, "metadata": metadata, **fields}


def test_an_invoice_of_an_unknown_customer_is_ignored(apply, published):
    apply("invoice.paid", invoice_object(None, customer="cus_nobody"))

    assert Invoice.objects.count() == 0
    assert published == []


def test_a_refunded_invoice_reported_paid_again_stays_refunded(apply, published):
    student = StudentFactory()
    Invoice.objects.create(
        customer=student, stripe_invoice_id="in_edge", status=Invoice.Status.REFUNDED
    )

    apply("invoice.paid", invoice_object(student))

    invoice = Invoice.objects.get()
    assert (invoice.status, invoice.amount_cents) == (Invoice.Status.REFUNDED, 0)
    assert published == []


def test_a_paid_renewal_invoice_renews_the_subscription(apply, published):
    student = StudentFactory()
    subscription = SubscriptionFactory(subscriber=student, stripe_subscription_id="sub_renewing")

    apply(
        "invoice.paid",
        invoice_object(student, subscription="sub_renewing", billing_reason="subscription_cycle"),
    )

    invoice = Invoice.objects.get()
    assert (invoice.subscription, invoice.status, invoice.amount_cents) == (
        subscription,
        Invoice.Status.PAID,
        1900,
    )
    assert published == [("subscription_renewed", "sub_renewing"), ("payment_succeeded", "in_edge")]


def test_an_invoice_failing_again_is_reported_once(apply, published):
    student = StudentFactory()
    obj = invoice_object(student, amount_paid=0, amount_due=1900)

    apply("invoice.payment_failed", obj)
    apply("invoice.payment_failed", obj)

    invoice = Invoice.objects.get()
    assert (invoice.status, invoice.subscription) == (Invoice.Status.FAILED, None)
    assert published == [("payment_failed", "in_edge")]


def test_a_partial_refund_keeps_the_purchase(apply, published):
    purchase = PurchaseFactory(buyer=StudentFactory(), course=course_with_outline())

    apply(
        "charge.refunded",
        {"id": "ch_1", "payment_intent": purchase.stripe_payment_intent_id, "refunded": False},
    )

    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.PAID
    assert published == []


def test_a_full_refund_reported_twice_refunds_once(apply, published):
    purchase = PurchaseFactory(buyer=StudentFactory(), course=course_with_outline())
    charge = {"id": "ch_1", "payment_intent": purchase.stripe_payment_intent_id, "refunded": True}

    apply("charge.refunded", charge)
    apply("charge.refunded", charge)

    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.REFUNDED
    assert published == [("refund_issued", purchase.stripe_checkout_session_id)]


def test_refunding_an_invoice_without_a_subscription_ends_no_plan(apply, published):
    student = StudentFactory()
    Invoice.objects.create(
        customer=student,
        stripe_invoice_id="in_alone",
        stripe_payment_intent_id="pi_alone",
        status=Invoice.Status.PAID,
        amount_cents=1900,
    )

    apply("charge.refunded", {"id": "ch_2", "payment_intent": "pi_alone", "refunded": True})

    assert Invoice.objects.get().status == Invoice.Status.REFUNDED
    assert published == [("refund_issued", "in_alone")]


def test_a_failed_delayed_payment_of_a_subscription_checkout_reports_no_payment(apply, published):
    student = StudentFactory()

    apply(
        "checkout.session.async_payment_failed",
        {"id": "cs_sub", "mode": "subscription", "metadata": {"user_id": str(student.pk)}},
    )

    assert published == []


# --- checkout and referrals --------------------------------------------------------------------


def test_a_referral_code_given_at_checkout_credits_the_affiliate(stripe_plans, stripe_fake):
    affiliate = services.affiliate_create(user=StudentFactory())
    student = StudentFactory()

    services.checkout_create(user=student, plan_tier="pro", referral_code=affiliate.code, **URLS)

    assert Referral.objects.get().referred_user == student
    assert Referral.objects.get().affiliate == affiliate


def test_the_affiliates_own_code_at_checkout_is_ignored_quietly(stripe_plans, stripe_fake):
    owner = StudentFactory()
    affiliate = services.affiliate_create(user=owner)

    services.checkout_create(user=owner, plan_tier="pro", referral_code=affiliate.code, **URLS)

    assert Referral.objects.count() == 0


def test_an_inactive_bundle_is_not_for_sale(stripe_fake):
    bundle = BundleFactory(is_active=False)

    with pytest.raises(NothingToBuyError, match=r"This bundle is no longer for sale\."):
        services.checkout_create(user=StudentFactory(), bundle=bundle, **URLS)

    assert stripe_fake.calls("POST", "/v1/checkout/sessions") == []


def test_a_bundle_without_a_stripe_price_cannot_be_bought_yet(stripe_fake):
    bundle = BundleFactory(stripe_price_id="")

    with pytest.raises(PaymentsNotConfiguredError, match="billing_sync_stripe"):
        services.checkout_create(user=StudentFactory(), bundle=bundle, **URLS)

    assert stripe_fake.calls("POST", "/v1/checkout/sessions") == []


def test_the_checkout_form_sells_a_bundle(stripe_fake: FakeStripe):
    bundle = BundleFactory(stripe_price_id="price_bundle_edge")
    stripe_fake.price_ensure("price_bundle_edge", amount=9900, interval=None)
    client = Client()
    client.force_login(StudentFactory())

    response = client.post(reverse("billing:checkout"), {"bundle": str(bundle.pk)})

    assert response.status_code == 302
    params = stripe_fake.calls("POST", "/v1/checkout/sessions")[0].params
    assert params["metadata[bundle_id]"] == str(bundle.pk)
    assert params["mode"] == "payment"


def test_a_signed_body_that_is_not_json_gets_400(stripe_fake):
    body = b"not json at all"

    response = Client().post(
        reverse("billing:stripe_webhook"),
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": sign(body, WEBHOOK_SECRET)},
    )

    assert response.status_code == 400
    assert json.loads(response.content)["error"]["code"] == "invalid_event"
    assert djstripe_models.WebhookEventTrigger.objects.count() == 0


def test_a_signup_without_a_referral_cookie_refers_no_one():
    credit_referral_on_signup(sender=None, request=None, user=StudentFactory())

    assert Referral.objects.count() == 0


def test_a_subscription_listing_no_items_takes_the_plan_from_metadata(apply, published):
    student = StudentFactory()
    obj = subscription_object(student, items={"data": []})
    obj["metadata"] = {"user_id": str(student.pk), "plan": "premium"}

    apply("customer.subscription.created", obj)

    subscription = Subscription.objects.get()
    assert (subscription.plan.tier, subscription.interval) == ("premium", "month")
    assert published == [("subscription_started", "sub_edge")]


def test_refunding_the_invoice_of_a_cancelled_subscription_cancels_nothing_again(apply, published):
    student = StudentFactory()
    subscription = SubscriptionFactory(
        subscriber=student, status=Subscription.Status.CANCELED, stripe_subscription_id="sub_gone"
    )
    Invoice.objects.create(
        customer=student,
        subscription=subscription,
        stripe_invoice_id="in_last",
        stripe_payment_intent_id="pi_last",
        status=Invoice.Status.PAID,
        amount_cents=1900,
    )

    apply("charge.refunded", {"id": "ch_3", "payment_intent": "pi_last", "refunded": True})

    assert Invoice.objects.get().status == Invoice.Status.REFUNDED
    assert published == [("refund_issued", "in_last")]


def test_an_unknown_referral_code_at_checkout_is_ignored_quietly(stripe_plans, stripe_fake):
    services.checkout_create(
        user=StudentFactory(), plan_tier="pro", referral_code="no-such-code", **URLS
    )

    assert Referral.objects.count() == 0
    assert len(stripe_fake.calls("POST", "/v1/checkout/sessions")) == 1


def test_the_courses_instructor_opens_its_paid_lessons_without_a_plan():
    instructor = InstructorFactory()
    course = course_with_outline(instructors=[instructor], required_plan=Course.Plan.PREMIUM)
    lesson = Lesson.objects.filter(module__course=course, is_free_preview=False).first()

    assert entitlements.can_access_lesson(instructor, lesson, is_enrolled=False) is True
    assert entitlements.can_access_lesson(StudentFactory(), lesson, is_enrolled=False) is False


def test_an_invoice_refund_reported_twice_refunds_once(apply, published):
    student = StudentFactory()
    Invoice.objects.create(
        customer=student,
        stripe_invoice_id="in_twice",
        stripe_payment_intent_id="pi_twice",
        status=Invoice.Status.PAID,
        amount_cents=1900,
    )
    charge = {"id": "ch_4", "payment_intent": "pi_twice", "refunded": True}

    apply("charge.refunded", charge)
    apply("charge.refunded", charge)

    assert Invoice.objects.get().status == Invoice.Status.REFUNDED
    assert published == [("refund_issued", "in_twice")]
