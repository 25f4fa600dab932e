"""An admin's journey in real Chromium: promote a student to instructor from the user list, then
refund a course purchase through (a local fake of) Stripe with the purchase list's action. Every
admin page passes axe-core in the admin's light and dark themes, and with Lumen's high-contrast
theme chosen on the site."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import BrowserContext, Page, expect

from accounts.services import role_groups_sync, user_profile_update
from accounts.tests.factories import AdminFactory, StudentFactory
from billing.models import Purchase
from billing.tests.factories import PurchaseFactory
from billing.tests.fake_stripe import FakeStripe, FakeStripeServer
from core.roles import Role
from courses.tests.factories import CourseFactory
from tests.browser.conftest import assert_admin_page_accessible, log_in, save_screenshots

STRIPE_SECRET_KEY = "sk_test_lumen_browser"


@pytest.fixture
def stripe_fake(settings: Any) -> Iterator[FakeStripe]:
    with FakeStripeServer(STRIPE_SECRET_KEY) as fake:
        settings.STRIPE_SECRET_KEY = STRIPE_SECRET_KEY
        settings.STRIPE_API_BASE = fake.url
        settings.STRIPE_TIMEOUT_SECONDS = 5
        yield fake


def run_action(page: Page, row_text: str, action: str) -> None:
    """Tick one row of an admin list and run an action on it, as a person does."""
    page.get_by_role("row", name=row_text).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label=action)
    page.get_by_role("button", name="Go").click()


@pytest.mark.parametrize("theme", ["light", "high-contrast"])
def test_an_admin_promotes_an_instructor_and_refunds_a_purchase(
    page: Page,
    browser_context: BrowserContext,
    live_server: Any,
    stripe_fake: FakeStripe,
    theme: str,
) -> None:
    role_groups_sync()
    admin = AdminFactory(email="ada@example.com", display_name="Ada Admin")
    Authenticator.objects.create(user=admin, type=Authenticator.Type.TOTP, data={"secret": "x"})
    user_profile_update(user=admin, data={"theme": theme})
    student = StudentFactory(email="pat@example.com", display_name="Pat Teacher")
    buyer = StudentFactory(email="bo@example.com", display_name="Bo Buyer")
    purchase = PurchaseFactory(
        buyer=buyer,
        course=CourseFactory(title="Painting Basics"),
        amount_cents=4900,
        stripe_payment_intent_id="pi_browser_1",
    )
    log_in(browser_context, admin, live_server)

    # Promote: the user list, its action, the result.
    page.goto("/admin/")
    assert_admin_page_accessible(page, "admin home")
    page.get_by_role("link", name="Users", exact=True).click()
    expect(page.get_by_role("heading", name="Select user to change")).to_be_visible()
    assert_admin_page_accessible(page, "admin user list")
    run_action(page, "pat@example.com", "Promote to instructor")
    expect(page.locator(".messagelist")).to_contain_text("1 user(s) are now instructors.")
    student.refresh_from_db()
    assert student.role == Role.INSTRUCTOR
    expect(page.get_by_role("row", name="pat@example.com")).to_contain_text("Instructor")
    assert_admin_page_accessible(page, "admin user list after promoting")
    save_screenshots(page, f"admin-users-{theme}")

    # The user's page shows the new role (read-only: roles change only through the actions).
    page.get_by_role("link", name="pat@example.com").click()
    expect(page.locator(".field-role")).to_contain_text("Instructor")
    assert_admin_page_accessible(page, "admin user page")

    # Refund: the purchase list, its action, Stripe asked once, access revoked.
    page.goto("/admin/billing/purchase/")
    expect(page.get_by_role("heading", name="Select purchase to change")).to_be_visible()
    assert_admin_page_accessible(page, "admin purchase list")
    run_action(page, "Bo Buyer", "Refund through Stripe and revoke access")
    expect(page.locator(".messagelist")).to_contain_text("Refunded")
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.REFUNDED
    (refund,) = stripe_fake.calls("POST", "/v1/refunds")
    assert refund.params["payment_intent"] == "pi_browser_1"
    expect(page.get_by_role("row", name="Bo Buyer")).to_contain_text("Refunded")
    assert_admin_page_accessible(page, "admin purchase list after the refund")

    # Refunding twice is refused with a clear message, and Stripe is not asked again.
    run_action(page, "Bo Buyer", "Refund through Stripe and revoke access")
    expect(page.locator(".messagelist")).to_contain_text("already been refunded")
    assert len(stripe_fake.calls("POST", "/v1/refunds")) == 1
    assert_admin_page_accessible(page, "admin purchase list with an error")
    save_screenshots(page, f"admin-purchases-{theme}")
