"""/api/v1/billing/: every endpoint, every role, the error shape and query budgets."""

from __future__ import annotations

import pytest
from djstripe import models as djstripe_models
from rest_framework.test import APIClient

from billing import services
from billing.models import Commission, Invoice, Purchase
from billing.tests.factories import BundleFactory, CoursePriceFactory, PurchaseFactory, subscribe
from courses.tests.factories import AdminFactory, StudentFactory, course_with_outline

pytestmark = pytest.mark.django_db


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_plans_are_public_and_cheapest_first(plans, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client_for().get("/api/v1/billing/plans")
    assert response.status_code == 200
    body = response.json()
    assert body["payments_configured"] is False
    assert [p["tier"] for p in body["plans"]] == ["basic", "pro", "premium"]
    assert body["plans"][1] == {
        "tier": "pro",
        "name": "Pro",
        "description": "",
        "features": ["Everything in Basic", "Every Pro course", "AI study tools"],
        "currency": "usd",
        "monthly_price_cents": 1900,
        "yearly_price_cents": 19000,
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/billing/checkout",
        "/api/v1/billing/subscription",
        "/api/v1/billing/entitlements",
        "/api/v1/billing/affiliate",
        "/api/v1/billing/revenue",
    ],
)
def test_anonymous_callers_get_401(path):
    method = "post" if path.endswith("checkout") else "get"
    response = getattr(client_for(), method)(path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_checkout_answers_the_stripe_checkout_url(plans, stripe_fake):
    student = StudentFactory()
    response = client_for(student).post(
        "/api/v1/billing/checkout", {"plan": "premium", "interval": "year"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["url"].startswith(f"{stripe_fake.url}/c/pay/cs_test_")
    params = stripe_fake.calls("POST", "/v1/checkout/sessions")[0].params
    assert params["line_items[0][price]"] == "price_premium_year"
    assert params["success_url"] == "http://testserver/billing/checkout/success/"


def test_checkout_for_a_course(plans, stripe_fake):
    course = course_with_outline(required_plan="pro")
    CoursePriceFactory(course=course, stripe_price_id="price_c")
    response = client_for(StudentFactory()).post(
        "/api/v1/billing/checkout", {"course_id": course.pk}, format="json"
    )
    assert response.status_code == 201
    assert stripe_fake.calls("POST", "/v1/checkout/sessions")[0].params["mode"] == "payment"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({}, 400, "not_for_sale"),
        ({"plan": "pro", "course_id": 1}, 404, "not_found"),
        ({"plan": "gold"}, 400, "validation_error"),
        ({"plan": "pro", "interval": "week"}, 400, "validation_error"),
        ({"course_id": 999999}, 404, "not_found"),
        ({"bundle_id": 999999}, 404, "not_found"),
        ({"course_id": "x"}, 400, "validation_error"),
        ({"plan": "pro", "success_url": "not a url"}, 400, "validation_error"),
        ({"plan": "pro", "success_url": "https://evil.example/x"}, 400, "validation_error"),
        ({"plan": "pro", "cancel_url": "https://evil.example/x"}, 400, "validation_error"),
    ],
)
def test_checkout_refuses_bad_input_clearly(plans, stripe_fake, payload, status, code):
    response = client_for(StudentFactory()).post("/api/v1/billing/checkout", payload, format="json")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert stripe_fake.requests == []


def test_checkout_without_keys_answers_503(plans):
    response = client_for(StudentFactory()).post(
        "/api/v1/billing/checkout", {"plan": "pro"}, format="json"
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "payments_not_configured"
    assert djstripe_models.Customer.objects.count() == 0


def test_subscription_and_entitlements_of_the_caller(plans):
    student = StudentFactory()
    assert client_for(student).get("/api/v1/billing/subscription").json() == {"subscription": None}
    subscribe(student, "pro", stripe_subscription_id="sub_1")
    owned = course_with_outline(required_plan="premium")
    bundled = course_with_outline(required_plan="premium")
    PurchaseFactory(buyer=student, course=owned)
    PurchaseFactory(buyer=student, bundle=BundleFactory(courses=[bundled]))
    subscribe(StudentFactory(), "premium")

    subscription = client_for(student).get("/api/v1/billing/subscription").json()["subscription"]
    entitlements = client_for(student).get("/api/v1/billing/entitlements").json()

    assert (subscription["plan"], subscription["status"], subscription["interval"]) == (
        "pro",
        "active",
        "month",
    )
    assert entitlements == {"plan": "pro", "purchased_course_ids": sorted([owned.pk, bundled.pk])}


def test_affiliate_stats(plans):
    student = StudentFactory()
    assert client_for(student).get("/api/v1/billing/affiliate").status_code == 404
    affiliate = services.affiliate_create(user=student)
    for index in range(3):
        customer = StudentFactory()
        services.referral_attribute_from_code(user=customer, code=affiliate.code)
        if index < 2:
            services.commission_record(
                user=customer, source=f"invoice:in_{index}", amount_cents=1000, currency="usd"
            )
    Commission.objects.filter(source="invoice:in_1").update(status="payable")
    services.affiliate_click_record(code=affiliate.code)

    response = client_for(student).get("/api/v1/billing/affiliate")

    assert response.status_code == 200
    assert response.json() == {
        "code": affiliate.code,
        "commission_percent": "20.00",
        "clicks": 1,
        "signups": 3,
        "conversions": 2,
        "pending_cents": 200,
        "payable_cents": 200,
        "paid_cents": 0,
        "reversed_cents": 0,
    }


def test_revenue_is_for_admins_only(plans, django_assert_max_num_queries):
    student = StudentFactory()
    assert client_for(student).get("/api/v1/billing/revenue").status_code == 403
    course = course_with_outline(required_plan="pro")
    instructor = course.instructors.get()
    for _ in range(3):
        PurchaseFactory(buyer=StudentFactory(), course=course, amount_cents=5000)
    PurchaseFactory(buyer=StudentFactory(), course=course, amount_cents=5000, status="refunded")
    subscribe(StudentFactory(), "pro")
    subscribe(StudentFactory(), "premium", interval="year")
    Invoice.objects.create(
        customer=student, stripe_invoice_id="in_1", amount_cents=1900, status="paid"
    )
    Invoice.objects.filter(pk__isnull=False).update(paid_at=Purchase.objects.first().created_at)
    admin = AdminFactory()

    with django_assert_max_num_queries(12):
        response = client_for(admin).get("/api/v1/billing/revenue?days=30")

    assert response.status_code == 200
    body = response.json()
    assert body["mrr_cents"] == 1900 + 3250
    assert body["active_subscriptions"] == 2
    assert body["new_subscriptions"] == 2
    assert body["purchase_revenue_cents"] == 15000
    assert body["subscription_revenue_cents"] == 1900
    assert body["revenue_per_course"] == [
        {"course_id": course.pk, "title": course.title, "revenue_cents": 15000}
    ]
    assert body["revenue_per_instructor"] == [
        {"instructor_id": instructor.pk, "name": str(instructor), "share_cents": 7500}
    ]
    bad = client_for(admin).get("/api/v1/billing/revenue?days=abc")
    assert bad.status_code == 400
