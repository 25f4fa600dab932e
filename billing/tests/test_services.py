"""Checkout, refunds, affiliates and the catalogue sync, against a local fake Stripe."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from djstripe import models as djstripe_models

from billing import services
from billing.exceptions import (
    AlreadyEntitledError,
    NothingToBuyError,
    NotRefundableError,
    PaymentsNotConfiguredError,
    PlanNotFoundError,
    SelfReferralError,
    StripeUnavailableError,
)
from billing.models import Commission, Invoice, Plan, Purchase, Referral, Subscription
from billing.tests.factories import (
    BundleFactory,
    CoursePriceFactory,
    PurchaseFactory,
    subscribe,
)
from courses import entitlements
from courses.models import Course
from courses.tests.factories import StudentFactory, course_with_outline

pytestmark = pytest.mark.django_db

URLS = {"success_url": "https://lumen.test/ok", "cancel_url": "https://lumen.test/cancel"}


def test_checkout_for_a_plan_creates_the_customer_once_and_a_subscription_session(
    plans, stripe_fake
):
    student = StudentFactory()
    url = services.checkout_create(user=student, plan_tier="pro", interval="year", **URLS)
    again = services.checkout_create(user=student, plan_tier="basic", **URLS)

    assert url.startswith(f"{stripe_fake.url}/c/pay/cs_test_")
    assert again != url
    customers = stripe_fake.calls("POST", "/v1/customers")
    assert len(customers) == 1
    assert customers[0].params["email"] == student.email
    assert customers[0].params["metadata[djstripe_subscriber]"] == str(student.pk)
    assert customers[0].idempotency_key  # dj-stripe's key for "create the customer of this user"
    assert djstripe_models.Customer.objects.get(subscriber=student).id == "cus_fake000001"
    session = stripe_fake.calls("POST", "/v1/checkout/sessions")[0].params
    assert session["mode"] == "subscription"
    assert session["customer"] == "cus_fake000001"
    assert session["line_items[0][price]"] == "price_pro_year"
    assert session["line_items[0][quantity]"] == "1"
    assert session["metadata[user_id]"] == str(student.pk)
    assert session["subscription_data[metadata][plan]"] == "pro"
    assert session["success_url"] == "https://lumen.test/ok"


def test_checkout_for_a_course_and_a_bundle_is_a_payment_session(plans, stripe_fake):
    student = StudentFactory()
    course = course_with_outline(required_plan=Course.Plan.PRO)
    CoursePriceFactory(course=course, stripe_price_id="price_course_x")
    bundle = BundleFactory(courses=[course], stripe_price_id="price_bundle_x")

    services.checkout_create(user=student, course=course, **URLS)
    services.checkout_create(user=student, bundle=bundle, **URLS)

    course_call, bundle_call = (
        r.params for r in stripe_fake.calls("POST", "/v1/checkout/sessions")
    )
    assert (course_call["mode"], course_call["line_items[0][price]"]) == (
        "payment",
        "price_course_x",
    )
    assert course_call["metadata[course_id]"] == str(course.pk)
    assert course_call["payment_intent_data[metadata][course_id]"] == str(course.pk)
    assert (bundle_call["mode"], bundle_call["metadata[bundle_id]"]) == ("payment", str(bundle.pk))


def test_checkout_refusals_send_nothing_to_stripe(plans, stripe_fake):
    student = StudentFactory()
    free_course = course_with_outline()
    unpriced = course_with_outline(required_plan=Course.Plan.PRO)
    owned = course_with_outline(required_plan=Course.Plan.PRO)
    CoursePriceFactory(course=owned)
    PurchaseFactory(buyer=student, course=owned)

    with pytest.raises(PlanNotFoundError):
        services.checkout_create(user=student, plan_tier="gold", **URLS)
    with pytest.raises(NothingToBuyError):
        services.checkout_create(user=student, plan_tier="pro", interval="week", **URLS)
    with pytest.raises(NothingToBuyError):
        services.checkout_create(user=student, **URLS)
    with pytest.raises(NothingToBuyError):
        services.checkout_create(user=student, plan_tier="pro", course=owned, **URLS)
    with pytest.raises(NothingToBuyError, match="not for sale"):
        services.checkout_create(user=student, course=free_course, **URLS)
    with pytest.raises(NothingToBuyError, match="only available with a subscription"):
        services.checkout_create(user=student, course=unpriced, **URLS)
    with pytest.raises(AlreadyEntitledError):
        services.checkout_create(user=student, course=owned, **URLS)
    subscribe(student, "basic")
    with pytest.raises(AlreadyEntitledError, match="billing page"):
        services.checkout_create(user=student, plan_tier="pro", **URLS)

    assert stripe_fake.requests == []
    assert djstripe_models.Customer.objects.count() == 0


def test_checkout_without_keys_says_payments_are_not_configured(plans, settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(PaymentsNotConfiguredError):
        services.checkout_create(user=StudentFactory(), plan_tier="pro", **URLS)


def test_a_stripe_outage_is_a_clear_error_and_stores_nothing(plans, stripe_fake):
    stripe_fake.fail_with_status = 500
    with pytest.raises(StripeUnavailableError):
        services.checkout_create(user=StudentFactory(), plan_tier="pro", **URLS)
    assert djstripe_models.Customer.objects.count() == 0


def test_a_wrong_secret_key_is_a_clear_error(plans, stripe_fake, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_wrong"
    with pytest.raises(StripeUnavailableError):
        services.checkout_create(user=StudentFactory(), plan_tier="pro", **URLS)


def test_the_portal_opens_for_customers_only(plans, stripe_fake):
    student = StudentFactory()
    with pytest.raises(NothingToBuyError):
        services.billing_portal_url_create(user=student, return_url="https://lumen.test/b")
    customer = services.customer_get_or_create(user=student)

    url = services.billing_portal_url_create(user=student, return_url="https://lumen.test/b")

    assert url.startswith("https://billing.stripe.test/p/session/bps_")
    call = stripe_fake.calls("POST", "/v1/billing_portal/sessions")[0]
    assert call.params == {"customer": customer.id, "return_url": "https://lumen.test/b"}


def test_refunding_a_purchase_goes_through_stripe_and_revokes_access(plans, stripe_fake):
    student = StudentFactory()
    course = course_with_outline(required_plan=Course.Plan.PREMIUM)
    purchase = PurchaseFactory(buyer=student, course=course, stripe_payment_intent_id="pi_9")
    assert entitlements.can_enroll(student, course)

    services.purchase_refund(purchase=purchase)

    purchase.refresh_from_db()
    assert purchase.status == "refunded"
    assert purchase.refunded_at is not None
    (call,) = stripe_fake.calls("POST", "/v1/refunds")
    assert call.params == {"payment_intent": "pi_9"}
    assert not entitlements.can_enroll(student, course)
    with pytest.raises(NotRefundableError):
        services.purchase_refund(purchase=purchase)
    assert len(stripe_fake.calls("POST", "/v1/refunds")) == 1


def test_a_failed_stripe_refund_changes_nothing(plans, stripe_fake):
    purchase = PurchaseFactory(buyer=StudentFactory(), course=course_with_outline())
    stripe_fake.fail_with_status = 500
    with pytest.raises(StripeUnavailableError):
        services.purchase_refund(purchase=purchase)
    purchase.refresh_from_db()
    assert purchase.status == "paid"


def test_refunding_the_last_invoice_ends_the_subscription(plans, stripe_fake):
    student = StudentFactory()
    subscription = subscribe(student, "pro", stripe_subscription_id="sub_77")
    stripe_fake.store({"id": "sub_77", "object": "subscription", "status": "active"})
    older = Invoice.objects.create(
        customer=student,
        subscription=subscription,
        stripe_invoice_id="in_old",
        stripe_payment_intent_id="pi_old",
        amount_cents=1900,
        status="paid",
        paid_at=timezone.now() - timedelta(days=31),
    )
    last = Invoice.objects.create(
        customer=student,
        subscription=subscription,
        stripe_invoice_id="in_new",
        stripe_payment_intent_id="pi_new",
        amount_cents=1900,
        status="paid",
        paid_at=timezone.now(),
    )

    refunded = services.invoice_refund_last(user=student)

    assert refunded.pk == last.pk
    assert refunded.status == "refunded"
    older.refresh_from_db()
    assert older.status == "paid"
    assert stripe_fake.calls("POST", "/v1/refunds")[0].params == {"payment_intent": "pi_new"}
    assert len(stripe_fake.calls("DELETE", "/v1/subscriptions/sub_77")) == 1
    subscription.refresh_from_db()
    assert subscription.status == "canceled"
    assert not entitlements.can_enroll(student, course_with_outline(required_plan="pro"))


def test_refunding_without_a_paid_invoice_is_refused(plans, stripe_fake):
    with pytest.raises(NotRefundableError):
        services.invoice_refund_last(user=StudentFactory())
    assert stripe_fake.requests == []


# --- affiliates -------------------------------------------------------------------------------


def invoice_paid(stripe_fake, user, invoice_id: str, *, amount: int = 1900, intent: str = "pi_x"):
    """A paid invoice on Stripe's side for the user's customer, and the event announcing it."""
    customer = services.customer_get_or_create(user=user)
    invoice = stripe_fake.store(
        {
            "id": invoice_id,
            "object": "invoice",
            "customer": customer.id,
            "status": "paid",
            "paid": True,
            "amount_paid": amount,
            "amount_due": amount,
            "currency": "usd",
            "payment_intent": intent,
        }
    )
    return stripe_fake.event("invoice.paid", invoice)


def test_a_referred_customers_paid_invoice_earns_exactly_one_commission(
    plans, stripe_fake, deliver, settings
):
    settings.AFFILIATE_COMMISSION_PERCENT = 20
    affiliate = services.affiliate_create(user=StudentFactory())
    customer = StudentFactory()
    services.referral_attribute_from_code(user=customer, code=affiliate.code)

    paid = invoice_paid(stripe_fake, customer, "in_1")
    assert deliver(paid).json()["duplicate"] is False
    assert deliver(paid).json()["duplicate"] is True
    # Stripe sends both invoice.paid and invoice.payment_succeeded for one payment.
    deliver({**paid, "id": "evt_other", "type": "invoice.payment_succeeded"})

    commission = Commission.objects.get()
    assert (commission.affiliate, commission.amount_cents, commission.status) == (
        affiliate,
        380,
        "pending",
    )
    assert commission.source == "invoice:in_1"


def test_a_refund_reverses_the_commission(plans, stripe_fake, deliver):
    affiliate = services.affiliate_create(user=StudentFactory())
    customer = StudentFactory()
    services.referral_attribute_from_code(user=customer, code=affiliate.code)
    subscribe(customer, "pro")
    deliver(invoice_paid(stripe_fake, customer, "in_1", intent="pi_1"))

    services.invoice_refund_last(user=customer)

    commission = Commission.objects.get()
    assert commission.status == "reversed"
    assert commission.reversed_at is not None


def test_a_refund_reported_by_stripe_reverses_a_purchase_commission(
    stripe_plans, stripe_fake, deliver
):
    affiliate = services.affiliate_create(user=StudentFactory())
    customer = StudentFactory()
    services.referral_attribute_from_code(user=customer, code=affiliate.code)
    course = course_with_outline(required_plan="pro")
    CoursePriceFactory(course=course, amount_cents=5000, stripe_price_id="price_c")
    stripe_fake.price_ensure("price_c", amount=5000, interval=None)
    url = services.checkout_create(user=customer, course=course, **URLS)
    (completed,) = stripe_fake.pay_checkout(url.rsplit("/", 1)[1])
    deliver(completed)
    assert Commission.objects.get().amount_cents == 1000

    intent = stripe_fake.objects[completed["data"]["object"]["payment_intent"]]
    charge = stripe_fake.objects[intent["latest_charge"]]
    charge.update(refunded=True, amount_refunded=5000)
    deliver(stripe_fake.event("charge.refunded", charge))

    assert Commission.objects.get().status == "reversed"
    assert Purchase.objects.get().status == "refunded"


def test_a_partial_refund_leaves_access_and_commission(stripe_plans, stripe_fake, deliver):
    affiliate = services.affiliate_create(user=StudentFactory())
    customer = StudentFactory()
    services.referral_attribute_from_code(user=customer, code=affiliate.code)
    course = course_with_outline(required_plan="pro")
    CoursePriceFactory(course=course, amount_cents=5000, stripe_price_id="price_c")
    stripe_fake.price_ensure("price_c", amount=5000, interval=None)
    url = services.checkout_create(user=customer, course=course, **URLS)
    (completed,) = stripe_fake.pay_checkout(url.rsplit("/", 1)[1])
    deliver(completed)

    intent = stripe_fake.objects[completed["data"]["object"]["payment_intent"]]
    charge = stripe_fake.objects[intent["latest_charge"]]
    charge.update(refunded=False, amount_refunded=1000)
    deliver(stripe_fake.event("charge.refunded", charge))

    assert Purchase.objects.get().status == "paid"
    assert Commission.objects.get().status == "pending"


def test_payments_of_customers_nobody_referred_earn_nothing(plans, stripe_fake, deliver):
    services.affiliate_create(user=StudentFactory())
    deliver(invoice_paid(stripe_fake, StudentFactory(), "in_1"))
    assert Invoice.objects.count() == 1
    assert Commission.objects.count() == 0


def test_self_referral_is_refused(plans):
    user = StudentFactory()
    affiliate = services.affiliate_create(user=user)
    with pytest.raises(SelfReferralError):
        services.referral_attribute_from_code(user=user, code=affiliate.code)
    assert (
        services.referral_attribute_from_code(user=user, code=affiliate.code, strict=False) is None
    )
    assert Referral.objects.count() == 0


def test_a_user_is_referred_once_by_the_first_affiliate(plans):
    first = services.affiliate_create(user=StudentFactory())
    second = services.affiliate_create(user=StudentFactory())
    customer = StudentFactory()
    services.referral_attribute_from_code(user=customer, code=first.code)
    services.referral_attribute_from_code(user=customer, code=second.code)
    assert Referral.objects.get().affiliate == first
    assert services.affiliate_create(user=first.user) == first


def test_commissions_become_payable_after_the_refund_window_then_paid(plans, settings):
    settings.BILLING_REFUND_WINDOW_DAYS = 30
    affiliate = services.affiliate_create(user=StudentFactory())
    customer = StudentFactory()
    services.referral_attribute_from_code(user=customer, code=affiliate.code)
    services.commission_record(
        user=customer, source="invoice:in_1", amount_cents=1000, currency="usd"
    )
    commission = Commission.objects.get()

    with time_machine.travel(timezone.now() + timedelta(days=29)):
        assert services.commission_release_due() == 0
        assert services.commission_mark_paid(commission_ids=[commission.pk]) == 0
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        call_command("billing_release_commissions", stdout=open("/dev/null", "w"))  # noqa: SIM115
    commission.refresh_from_db()
    assert commission.status == "payable"

    assert services.commission_mark_paid(commission_ids=[commission.pk]) == 1
    commission.refresh_from_db()
    assert commission.status == "paid"
    assert services.commission_reverse(source="invoice:in_1") == 0


def test_catalog_sync_creates_missing_products_and_prices_once(stripe_fake):
    course = course_with_outline(required_plan="pro")
    CoursePriceFactory(course=course, stripe_price_id="")
    BundleFactory(courses=[course], stripe_price_id="")

    call_command("billing_sync_stripe", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("billing_sync_stripe", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert len(stripe_fake.calls("POST", "/v1/products")) == 5
    prices = stripe_fake.calls("POST", "/v1/prices")
    assert len(prices) == 8
    pro = Plan.objects.get(tier="pro")
    assert pro.stripe_monthly_price_id.startswith("price_fake")
    monthly = next(p for p in prices if p.params.get("lookup_key") == "plan-pro-month")
    assert monthly.params["recurring[interval]"] == "month"
    assert monthly.params["unit_amount"] == "1900"
    assert Subscription.objects.count() == 0
