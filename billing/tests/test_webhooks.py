"""Stripe webhooks through dj-stripe: signature, idempotency, entitlements following Stripe."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone
from djstripe import models as djstripe_models
from rest_framework.test import APIClient

from billing import services
from billing.models import Commission, Invoice, Purchase, Subscription
from billing.tests.conftest import WEBHOOK_SECRET
from billing.tests.factories import CoursePriceFactory
from billing.tests.fake_stripe import FakeStripe, event, sign
from courses import services as course_services
from courses.exceptions import PlanRequiredError
from courses.models import Course, Enrollment, Lesson
from courses.tests.factories import StudentFactory, course_with_outline

pytestmark = pytest.mark.django_db

URLS = {"success_url": "https://lumen.test/ok", "cancel_url": "https://lumen.test/cancel"}


def first_lesson(course: Course) -> Lesson:
    return Lesson.objects.filter(module__course=course).order_by("module__order", "order").first()


def lesson_body(user, lesson: Lesson):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/v1/lessons/{lesson.pk}")


def checkout_session(user, **choice: Any) -> str:
    """The learner's Checkout session id, opened through the real checkout service."""
    url = services.checkout_create(user=user, **choice, **URLS)
    return url.rsplit("/", 1)[1]


def subscribe_through_checkout(stripe_fake: FakeStripe, deliver, user, tier: str = "pro"):
    session_id = checkout_session(user, plan_tier=tier)
    events = stripe_fake.pay_checkout(session_id)
    assert [e["type"] for e in events] == [
        "checkout.session.completed",
        "customer.subscription.created",
        "invoice.paid",
    ]
    responses = [deliver(e) for e in events]
    assert [r.status_code for r in responses] == [200, 200, 200]
    return events


def test_signed_subscription_events_open_and_close_pro_courses(stripe_plans, stripe_fake, deliver):
    student = StudentFactory()
    course = course_with_outline(required_plan=Course.Plan.PRO, title="Pro course")
    with pytest.raises(PlanRequiredError):
        course_services.enrollment_create(learner=student, course=course)

    events = subscribe_through_checkout(stripe_fake, deliver, student)

    stripe_subscription = events[1]["data"]["object"]
    subscription = Subscription.objects.get()
    assert (subscription.subscriber, subscription.plan.tier, subscription.status) == (
        student,
        "pro",
        "active",
    )
    assert subscription.stripe_subscription_id == stripe_subscription["id"]
    # dj-stripe synced Stripe's objects: its customer belongs to the student.
    assert djstripe_models.Customer.objects.get().subscriber == student
    assert djstripe_models.Subscription.objects.get().status == "active"
    assert djstripe_models.Event.objects.count() == 3
    assert Invoice.objects.get().amount_cents == stripe_plans["pro"].monthly_price_cents
    course_services.enrollment_create(learner=student, course=course)
    lesson = first_lesson(course)
    assert lesson_body(student, lesson).status_code == 200

    # The learner cancels in the customer portal; Stripe ends the subscription.
    stripe_fake.objects[stripe_subscription["id"]].update(
        status="canceled", canceled_at=int(time.time())
    )
    stripe_subscription = stripe_fake.objects[stripe_subscription["id"]]
    response = deliver(stripe_fake.event("customer.subscription.deleted", stripe_subscription))
    assert response.status_code == 200

    subscription.refresh_from_db()
    assert subscription.status == "canceled"
    assert subscription.canceled_at is not None
    assert djstripe_models.Subscription.objects.get().status == "canceled"
    response = lesson_body(student, lesson)
    assert response.status_code == 403
    assert "carefully" not in response.content.decode()
    assert Enrollment.objects.filter(learner=student, course=course).count() == 1


def test_the_synced_state_wins_over_a_stale_event(stripe_plans, stripe_fake, deliver):
    """dj-stripe re-reads the object from Stripe: an 'active' event delivered late, after the
    subscription was cancelled, does not reopen access."""
    student = StudentFactory()
    events = subscribe_through_checkout(stripe_fake, deliver, student)
    stale_created = events[1]
    sub_id = stale_created["data"]["object"]["id"]
    stripe_fake.objects[sub_id].update(status="canceled", canceled_at=int(time.time()))

    late = dict(stale_created, id="evt_late_update", type="customer.subscription.updated")
    assert deliver(late).status_code == 200

    assert Subscription.objects.get().status == "canceled"


def test_a_bad_signature_gets_400_and_changes_nothing(stripe_plans, stripe_fake, deliver):
    student = StudentFactory()
    session_id = checkout_session(student, plan_tier="pro")
    created = stripe_fake.pay_checkout(session_id)[1]

    wrong_secret = deliver(created, secret="whsec_not_ours")
    garbage = deliver(created, signature="garbage")
    stale = deliver(created, signature=sign(json.dumps(created).encode(), WEBHOOK_SECRET, 1_000))
    unsigned = Client().post(
        "/billing/stripe/webhook/", data=json.dumps(created), content_type="application/json"
    )

    for response in (wrong_secret, garbage, stale, unsigned):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_signature"
    assert Subscription.objects.count() == 0
    assert djstripe_models.Event.objects.count() == 0
    assert djstripe_models.WebhookEventTrigger.objects.count() == 0
    assert djstripe_models.Subscription.objects.count() == 0


def test_a_signed_body_that_is_not_an_event_gets_400(stripe_fake, deliver):
    response = deliver({"hello": "world"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_event"
    assert djstripe_models.WebhookEventTrigger.objects.count() == 0


def test_a_replayed_event_is_processed_once(stripe_plans, stripe_fake, deliver):
    affiliate = services.affiliate_create(user=StudentFactory())
    student = StudentFactory()
    services.referral_attribute_from_code(user=student, code=affiliate.code)
    events = subscribe_through_checkout(stripe_fake, deliver, student)
    invoice_paid = events[2]

    again = deliver(invoice_paid)

    assert again.status_code == 200
    assert again.json() == {"received": True, "duplicate": True}
    assert djstripe_models.Event.objects.filter(id=invoice_paid["id"]).count() == 1
    assert Invoice.objects.count() == 1
    assert Commission.objects.count() == 1
    # dj-stripe still records each delivery it was handed.
    assert djstripe_models.WebhookEventTrigger.objects.filter(valid=True).count() == 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_event_count_once(stripe_plans, stripe_fake):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks")
    student = StudentFactory()
    session_id = checkout_session(student, plan_tier="pro")
    created = stripe_fake.pay_checkout(session_id)[1]
    body = json.dumps(created).encode()
    results: list[int] = []

    def post() -> None:
        response = Client().post(
            "/billing/stripe/webhook/",
            data=body,
            content_type="application/json",
            headers={"Stripe-Signature": sign(body, WEBHOOK_SECRET)},
        )
        results.append(response.status_code)
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200, 200, 200, 200]
    assert Subscription.objects.count() == 1
    assert djstripe_models.Event.objects.filter(id=created["id"]).count() == 1


def test_when_stripe_is_down_the_event_is_not_kept_and_the_retry_applies_it(
    stripe_plans, stripe_fake, deliver, monkeypatch
):
    import stripe

    monkeypatch.setattr(stripe, "max_network_retries", 0)
    student = StudentFactory()
    session_id = checkout_session(student, plan_tier="pro")
    created = stripe_fake.pay_checkout(session_id)[1]

    stripe_fake.fail_with_status = 500
    response = deliver(created)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "stripe_unavailable"
    assert djstripe_models.Event.objects.count() == 0
    assert Subscription.objects.count() == 0
    (trigger,) = djstripe_models.WebhookEventTrigger.objects.all()
    assert (trigger.valid, trigger.processed) == (True, False)
    assert "Something went wrong" in trigger.exception

    stripe_fake.fail_with_status = None
    assert deliver(created).json() == {"received": True, "duplicate": False}
    assert Subscription.objects.get().status == "active"


def test_djstripes_own_endpoint_drives_the_same_entitlements(stripe_plans, stripe_fake):
    """An endpoint registered through dj-stripe (its admin) has its own URL and secret."""
    endpoint = djstripe_models.WebhookEndpoint.objects.create(
        id="we_admin",
        secret="whsec_from_the_admin",
        url="https://lumen.test/djstripe/",
        enabled_events=["*"],
        status="enabled",
        livemode=False,
    )
    student = StudentFactory()
    session_id = checkout_session(student, plan_tier="premium")
    url = f"/djstripe/webhook/{endpoint.djstripe_uuid}/"
    for item in stripe_fake.pay_checkout(session_id):
        body = json.dumps(item).encode()
        bad = Client().post(
            url,
            data=body,
            content_type="application/json",
            headers={"Stripe-Signature": sign(body, WEBHOOK_SECRET)},
        )
        assert bad.status_code == 400
        good = Client().post(
            url,
            data=body,
            content_type="application/json",
            headers={"Stripe-Signature": sign(body, "whsec_from_the_admin")},
        )
        assert good.status_code == 200
    assert Subscription.objects.get().plan.tier == "premium"


def test_webhook_without_configured_secret_answers_503(settings, client):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = client.post("/billing/stripe/webhook/", data=b"{}", content_type="application/json")
    assert response.status_code == 503
    assert djstripe_models.WebhookEventTrigger.objects.count() == 0


def test_webhook_refuses_get(client):
    assert client.get("/billing/stripe/webhook/").status_code == 405


def test_past_due_keeps_access_for_the_grace_period_then_drops_it(
    stripe_plans, stripe_fake, deliver, settings
):
    settings.BILLING_GRACE_PERIOD_DAYS = 7
    student = StudentFactory()
    course = course_with_outline(required_plan=Course.Plan.PRO)
    start = timezone.now()
    events = subscribe_through_checkout(stripe_fake, deliver, student)
    course_services.enrollment_create(learner=student, course=course)
    lesson = first_lesson(course)
    sub_id = events[1]["data"]["object"]["id"]

    # The next month's renewal fails: Stripe marks the invoice and the subscription.
    failed = stripe_fake.store(
        {
            "id": "in_renewal",
            "object": "invoice",
            "customer": events[1]["data"]["object"]["customer"],
            "subscription": sub_id,
            "status": "open",
            "paid": False,
            "amount_due": 1900,
            "amount_paid": 0,
            "currency": "usd",
            "billing_reason": "subscription_cycle",
        }
    )
    stripe_fake.objects[sub_id]["status"] = "past_due"
    deliver(stripe_fake.event("invoice.payment_failed", failed))
    deliver(stripe_fake.event("customer.subscription.updated", stripe_fake.objects[sub_id]))
    assert Invoice.objects.get(stripe_invoice_id="in_renewal").status == "failed"
    assert Subscription.objects.get().status == "past_due"
    assert lesson_body(student, lesson).status_code == 200

    with time_machine.travel(start + timedelta(days=6, hours=23)):
        assert lesson_body(student, lesson).status_code == 200
    with time_machine.travel(start + timedelta(days=7, hours=1)):
        assert lesson_body(student, lesson).status_code == 403
        with pytest.raises(PlanRequiredError):
            course_services.enrollment_create(
                learner=student, course=course_with_outline(required_plan=Course.Plan.PRO)
            )

    # The card is updated and the retry succeeds: access comes back at once.
    with time_machine.travel(start + timedelta(days=8)):
        stripe_fake.objects[sub_id]["status"] = "active"
        deliver(stripe_fake.event("customer.subscription.updated", stripe_fake.objects[sub_id]))
        assert Subscription.objects.get().past_due_since is None
        assert lesson_body(student, lesson).status_code == 200


def test_a_one_time_purchase_opens_the_course_and_a_refund_closes_it(
    stripe_plans, stripe_fake, deliver
):
    student = StudentFactory()
    course = course_with_outline(required_plan=Course.Plan.PREMIUM)
    price = CoursePriceFactory(course=course, amount_cents=4900, stripe_price_id="price_course")
    stripe_fake.price_ensure("price_course", amount=price.amount_cents, interval=None)
    session_id = checkout_session(student, course=course)
    (completed,) = stripe_fake.pay_checkout(session_id)
    deliver(completed)

    purchase = Purchase.objects.get()
    assert (purchase.buyer, purchase.course, purchase.amount_cents) == (student, course, 4900)
    assert purchase.stripe_payment_intent_id == completed["data"]["object"]["payment_intent"]
    course_services.enrollment_create(learner=student, course=course)
    assert lesson_body(student, first_lesson(course)).status_code == 200

    # Refunded from Stripe's dashboard: Stripe reports the refunded charge.
    intent = stripe_fake.objects[purchase.stripe_payment_intent_id]
    charge = stripe_fake.objects[intent["latest_charge"]]
    charge.update(refunded=True, amount_refunded=4900)
    deliver(stripe_fake.event("charge.refunded", charge))

    purchase.refresh_from_db()
    assert purchase.status == "refunded"
    assert djstripe_models.Charge.objects.get(id=charge["id"]).stripe_data["refunded"] is True
    assert lesson_body(student, first_lesson(course)).status_code == 403


def test_a_delayed_payment_opens_the_course_only_once_it_succeeds(
    stripe_plans, stripe_fake, deliver
):
    student = StudentFactory()
    course = course_with_outline(required_plan=Course.Plan.PREMIUM)
    CoursePriceFactory(course=course, amount_cents=4900, stripe_price_id="price_course")
    stripe_fake.price_ensure("price_course", amount=4900, interval=None)
    session_id = checkout_session(student, course=course)

    (completed,) = stripe_fake.pay_checkout(session_id, delayed=True)
    assert completed["data"]["object"]["payment_status"] == "unpaid"
    deliver(completed)
    assert Purchase.objects.count() == 0
    with pytest.raises(PlanRequiredError):
        course_services.enrollment_create(learner=student, course=course)

    (succeeded,) = stripe_fake.settle_checkout(session_id)
    assert succeeded["type"] == "checkout.session.async_payment_succeeded"
    assert deliver(succeeded).status_code == 200
    assert deliver(succeeded).json()["duplicate"] is True

    purchase = Purchase.objects.get()
    assert (purchase.buyer, purchase.course, purchase.status) == (student, course, "paid")
    course_services.enrollment_create(learner=student, course=course)
    assert lesson_body(student, first_lesson(course)).status_code == 200


def test_a_failed_delayed_payment_opens_nothing(stripe_plans, stripe_fake, deliver):
    student = StudentFactory()
    course = course_with_outline(required_plan=Course.Plan.PREMIUM)
    CoursePriceFactory(course=course, amount_cents=4900, stripe_price_id="price_course")
    stripe_fake.price_ensure("price_course", amount=4900, interval=None)
    session_id = checkout_session(student, course=course)
    deliver(stripe_fake.pay_checkout(session_id, delayed=True)[0])

    (failed,) = stripe_fake.settle_checkout(session_id, succeeded=False)
    assert failed["type"] == "checkout.session.async_payment_failed"
    assert deliver(failed).status_code == 200

    assert Purchase.objects.count() == 0
    assert djstripe_models.Session.objects.get(id=session_id).stripe_data["payment_status"] == (
        "unpaid"
    )
    with pytest.raises(PlanRequiredError):
        course_services.enrollment_create(learner=student, course=course)


def test_an_event_for_an_object_stripe_no_longer_has_uses_the_event_snapshot(
    stripe_plans, stripe_fake, deliver
):
    """dj-stripe skips syncing an object Stripe deleted; the event's own copy still counts."""
    student = StudentFactory()
    events = subscribe_through_checkout(stripe_fake, deliver, student)
    snapshot = dict(events[1]["data"]["object"], status="canceled")
    del stripe_fake.objects[snapshot["id"]]

    deliver(event("customer.subscription.deleted", snapshot))

    assert Subscription.objects.get().status == "canceled"
