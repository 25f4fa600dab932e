"""A student meets a Pro course, picks Pro on the pricing page, pays on (fake) Stripe Checkout, and
Stripe's signed webhooks, handled by dj-stripe, open the course; each page passes axe-core."""

from __future__ import annotations

import copy
import importlib
from collections.abc import Iterator
from typing import Any

import pytest
import stripe
from django.apps import apps
from djstripe import models as djstripe_models
from playwright.sync_api import Page, expect

from billing.models import Plan, Subscription
from billing.tests.fake_stripe import FakeStripe, FakeStripeServer
from courses.models import Course, Lesson
from courses.tests.factories import StudentFactory, course_with_outline
from tests.browser.conftest import assert_no_axe_violations, log_in, save_screenshots

SECRET_KEY = "sk_test_LumenBrowserStripeKey00000000"
WEBHOOK_SECRET = "whsec_lumen_browser"


@pytest.fixture
def stripe_checkout(
    live_server: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeStripe]:
    """A fake Stripe whose Checkout page posts signed events to the live server's webhook."""
    with FakeStripeServer(SECRET_KEY) as fake:
        settings.STRIPE_SECRET_KEY = SECRET_KEY
        settings.STRIPE_PUBLISHABLE_KEY = "pk_test_lumen_browser"
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.STRIPE_API_BASE = fake.url
        monkeypatch.setattr(stripe, "api_base", fake.url)
        # Checkout lives on the fake's origin here, as on checkout.stripe.com in production.
        policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY_REPORT_ONLY)
        policy["DIRECTIVES"]["form-action"].append(fake.url)
        settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = policy
        fake.webhook_url = f"{live_server.url}/billing/stripe/webhook/"
        fake.webhook_secret = WEBHOOK_SECRET
        # The live server's transactional test database starts without the seeded plans.
        importlib.import_module("billing.migrations.0002_seed_plans").create_plans(apps, None)
        for plan in Plan.objects.all():
            plan.stripe_monthly_price_id = f"price_{plan.tier}_month"
            plan.stripe_yearly_price_id = f"price_{plan.tier}_year"
            plan.save()
            fake.price_ensure(
                plan.stripe_monthly_price_id, amount=plan.monthly_price_cents, interval="month"
            )
            fake.price_ensure(
                plan.stripe_yearly_price_id, amount=plan.yearly_price_cents, interval="year"
            )
        yield fake


def test_a_student_subscribes_to_pro_through_checkout_and_opens_a_pro_course(
    page: Page, live_server: Any, stripe_checkout: FakeStripe
) -> None:
    student = StudentFactory(display_name="Pat Payer")
    course = course_with_outline(required_plan=Course.Plan.PRO, title="Pro Patterns")
    first_lesson = (
        Lesson.objects.filter(module__course=course).order_by("module__order", "order").first()
    )
    log_in(page.context, student, live_server)

    # The course page says which plan includes it instead of offering a doomed Enroll.
    page.goto(f"/courses/{course.slug}/")
    offer = page.locator("#course-offer")
    expect(offer).to_contain_text("Included in Pro and above")
    expect(page.get_by_role("button", name="Enroll")).to_have_count(0)
    assert_no_axe_violations(page, "course page with an offer")
    save_screenshots(page, "billing-course-offer")

    offer.get_by_role("link", name="See the Pro plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plans and pricing")
    expect(page.get_by_role("link", name="Pricing", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    assert_no_axe_violations(page, "pricing")
    save_screenshots(page, "billing-pricing")

    pro = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Pro"))
    pro.get_by_role("button", name="Choose Pro").click()

    # Stripe's hosted Checkout (the fake's), then back to Lumen once paid.
    expect(page).to_have_url(f"{stripe_checkout.url}/c/pay/cs_test_fake000002")
    page.get_by_role("button", name="Pay").click()
    expect(page).to_have_url(
        f"{live_server.url}/billing/checkout/success/?session_id=cs_test_fake000002"
    )
    assert_no_axe_violations(page, "checkout success")

    # The signed webhooks went through dj-stripe and made the student a Pro subscriber.
    assert [e.type for e in djstripe_models.Event.objects.order_by("created", "id")] == [
        "checkout.session.completed",
        "customer.subscription.created",
        "invoice.paid",
    ]
    subscription = Subscription.objects.get(subscriber=student)
    assert (subscription.plan.tier, subscription.status) == ("pro", "active")

    page.get_by_role("link", name="My billing").click()
    expect(page.locator("main")).to_contain_text("Pro")
    assert_no_axe_violations(page, "my billing")

    page.goto(f"/courses/{course.slug}/")
    expect(page.locator("#course-offer")).to_have_count(0)
    page.get_by_role("button", name="Enroll").click()
    expect(page).to_have_url(f"{live_server.url}/learn/{course.slug}/{first_lesson.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(first_lesson.title)
