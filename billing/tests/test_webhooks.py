"""Stripe webhooks: signature, idempotency, and entitlements following subscriptions."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Customer, Invoice, Purchase, Subscription, WebhookEvent
from billing.tests.fake_stripe import event, sign
from courses import services as course_services
from courses.exceptions import PlanRequiredError
from courses.models import Course, Enrollment, Lesson
from courses.tests.factories import StudentFactory, course_with_outline

pytestmark = pytest.mark.django_db


def subscription_object(user, *, sub_id="sub_1", tier="pro", status="active", **extra):
    return {
        "id": sub_id,
        "object": "subscription",
        "customer": f"cus_{user.pk}",
        "status": status,
        "metadata": {"user_id": str(user.pk)},
        "cancel_at_period_end": False,
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_1",
                    "price": {"id": f"price_{tier}_month", "recurring": {"interval": "month"}},
                    "current_period_end": int(time.time()) + 30 * 86400,
                }
            ],
        },
        **extra,
    }


def first_lesson(course: Course) -> Lesson:
    return Lesson.objects.filter(module__course=course).order_by("module__order", "order").first()


def lesson_body(user, lesson: Lesson):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/v1/lessons/{lesson.pk}")


def test_signed_subscription_events_open_and_close_pro_courses(plans, deliver):
    student = StudentFactory()
    course = course_with_outline(required_plan=Course.Plan.PRO, title="Pro course")
    with pytest.raises(PlanRequiredError):
        course_services.enrollment_create(learner=student, course=course)

    checkout = {
        "id": "cs_test_1",
        "object": "checkout.session",
        "mode": "subscription",
        "customer": f"cus_{student.pk}",
        "client_reference_id": str(student.pk),
        "metadata": {"user_id": str(student.pk), "plan": "pro", "interval": "month"},
        "payment_status": "paid",
        "subscription": "sub_1",
    }
    completed = deliver(event("checkout.session.completed", checkout, event_id="evt_1"))
    assert completed.status_code == 200
    response = deliver(
        event("customer.subscription.created", subscription_object(student), event_id="evt_2")
    )
    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False}

    subscription = Subscription.objects.get()
    assert (subscription.subscriber, subscription.plan.tier, subscription.status) == (
        student,
        "pro",
        "active",
    )
    assert Customer.objects.get(user=student).stripe_customer_id == f"cus_{student.pk}"
    course_services.enrollment_create(learner=student, course=course)
    lesson = first_lesson(course)
    assert lesson_body(student, lesson).status_code == 200

    deleted = subscription_object(student, status="canceled", canceled_at=int(time.time()))
    deliver(event("customer.subscription.deleted", deleted, event_id="evt_3"))

    subscription.refresh_from_db()
    assert subscription.status == "canceled"
    assert subscription.canceled_at is not None
    response = lesson_body(student, lesson)
    assert response.status_code == 403
    assert "carefully" not in response.content.decode()
    assert Enrollment.objects.filter(learner=student, course=course).count() == 1


def test_a_bad_signature_gets_400_and_changes_nothing(plans, deliver):
    student = StudentFactory()
    created = event("customer.subscription.created", subscription_object(student))

    wrong_secret = deliver(created, secret="whsec_not_ours")
    missing = deliver(created, signature="garbage")
    stale = deliver(
        created, signature=sign(json.dumps(created).encode(), "whsec_lumen_fake", 1_000_000)
    )

    for response in (wrong_secret, missing, stale):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_signature"
    assert Subscription.objects.count() == 0
    assert WebhookEvent.objects.count() == 0


def test_a_replayed_event_is_processed_once(plans, deliver):
    student = StudentFactory()
    paid = event(
        "invoice.paid",
        {
            "id": "in_1",
            "object": "invoice",
            "customer": f"cus_{student.pk}",
            "metadata": {"user_id": str(student.pk)},
            "amount_paid": 1900,
            "currency": "usd",
            "payment_intent": "pi_1",
        },
        event_id="evt_paid",
    )
    first = deliver(paid)
    second = deliver(paid)

    assert first.json() == {"received": True, "duplicate": False}
    assert second.json() == {"received": True, "duplicate": True}
    assert WebhookEvent.objects.filter(stripe_event_id="evt_paid").count() == 1
    assert Invoice.objects.get().amount_cents == 1900


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_event_count_once(plans, stripe_fake):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks")
    from django.test import Client

    student = StudentFactory()
    body = json.dumps(
        event("customer.subscription.created", subscription_object(student), event_id="evt_race")
    ).encode()
    results: list[int] = []

    def post() -> None:
        response = Client().post(
            "/billing/stripe/webhook/",
            data=body,
            content_type="application/json",
            headers={"Stripe-Signature": sign(body, "whsec_lumen_fake")},
        )
        results.append(response.json()["duplicate"])
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, True, True, True]
    assert Subscription.objects.count() == 1


def test_webhook_without_configured_secret_answers_503(settings, client):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = client.post("/billing/stripe/webhook/", data=b"{}", content_type="application/json")
    assert response.status_code == 503
    assert WebhookEvent.objects.count() == 0


def test_webhook_refuses_get(client):
    assert client.get("/billing/stripe/webhook/").status_code == 405


def test_past_due_keeps_access_for_the_grace_period_then_drops_it(plans, deliver, settings):
    settings.BILLING_GRACE_PERIOD_DAYS = 7
    student = StudentFactory()
    course = course_with_outline(required_plan=Course.Plan.PRO)
    deliver(event("customer.subscription.created", subscription_object(student), event_id="e1"))
    course_services.enrollment_create(learner=student, course=course)
    lesson = first_lesson(course)

    failed = {
        "id": "in_f",
        "object": "invoice",
        "customer": f"cus_{student.pk}",
        "subscription": "sub_1",
        "amount_due": 1900,
        "currency": "usd",
    }
    deliver(event("invoice.payment_failed", failed, event_id="e2"))
    deliver(
        event(
            "customer.subscription.updated",
            subscription_object(student, status="past_due"),
            event_id="e3",
        )
    )
    assert Invoice.objects.get().status == "failed"
    assert lesson_body(student, lesson).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert lesson_body(student, lesson).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=7, hours=1)):
        assert lesson_body(student, lesson).status_code == 403

    deliver(event("customer.subscription.updated", subscription_object(student), event_id="e4"))
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert lesson_body(student, lesson).status_code == 200


def test_a_one_time_purchase_opens_the_course_and_a_refund_closes_it(plans, deliver):
    student = StudentFactory()
    course = course_with_outline(required_plan=Course.Plan.PREMIUM)
    session = {
        "id": "cs_buy",
        "object": "checkout.session",
        "mode": "payment",
        "payment_status": "paid",
        "customer": f"cus_{student.pk}",
        "metadata": {"user_id": str(student.pk), "course_id": str(course.pk)},
        "amount_total": 4900,
        "currency": "usd",
        "payment_intent": "pi_buy",
    }
    deliver(event("checkout.session.completed", session, event_id="e1"))
    purchase = Purchase.objects.get()
    assert (purchase.buyer, purchase.course, purchase.amount_cents) == (student, course, 4900)
    course_services.enrollment_create(learner=student, course=course)
    assert lesson_body(student, first_lesson(course)).status_code == 200

    refunded = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": "pi_buy",
        "refunded": True,
        "amount_refunded": 4900,
    }
    deliver(event("charge.refunded", refunded, event_id="e2"))
    purchase.refresh_from_db()
    assert purchase.status == "refunded"
    assert lesson_body(student, first_lesson(course)).status_code == 403
