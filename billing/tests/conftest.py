"""Billing fixtures: the billing entitlement rules, a fake Stripe, signed webhook deliveries."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import stripe
from django.test import Client
from django.urls import reverse

from billing.entitlements import SubscriptionEntitlements
from billing.models import Plan
from billing.tests.fake_stripe import FakeStripe, FakeStripeServer, sign
from courses import entitlements

# dj-stripe checks a key's shape: sk_test_ and at least 24 letters or digits.
SECRET_KEY = "sk_test_LumenFakeStripeKey000000000"
WEBHOOK_SECRET = "whsec_lumen_fake"


@pytest.fixture(autouse=True)
def _billing_entitlements() -> Iterator[None]:
    entitlements.register_provider(SubscriptionEntitlements())
    yield
    entitlements.reset_provider()


@pytest.fixture
def stripe_fake(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeStripe]:
    with FakeStripeServer(SECRET_KEY) as fake:
        # dj-stripe calls through the stripe module's globals (STRIPE_API_HOST sets them at start).
        monkeypatch.setattr(stripe, "api_base", fake.url)
        fake.webhook_secret = WEBHOOK_SECRET
        settings.STRIPE_SECRET_KEY = SECRET_KEY
        settings.STRIPE_PUBLISHABLE_KEY = "pk_test_lumen_fake"
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.STRIPE_API_BASE = fake.url
        settings.STRIPE_TIMEOUT_SECONDS = 5
        yield fake


def _plans_ensure() -> None:
    """The plans migration 0002 seeds; a transactional test elsewhere in the same worker flushes
    the database, and them with it, so DB tests here put them back first."""
    import importlib

    from django.apps import apps

    importlib.import_module("billing.migrations.0002_seed_plans").create_plans(apps, None)


@pytest.fixture(autouse=True)
def _plans_seeded(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if marker is None and "db" not in names and "transactional_db" not in names:
        return
    transactional = "transactional_db" in names or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    _plans_ensure()


@pytest.fixture
def plans(db: None) -> dict[str, Plan]:
    """The three seeded plans, with Stripe price ids as `billing_sync_stripe` would set them."""
    result = {}
    for plan in Plan.objects.all():
        plan.stripe_monthly_price_id = f"price_{plan.tier}_month"
        plan.stripe_yearly_price_id = f"price_{plan.tier}_year"
        plan.save()
        result[plan.tier] = plan
    return result


@pytest.fixture
def stripe_plans(plans: dict[str, Plan], stripe_fake: FakeStripe) -> dict[str, Plan]:
    """The plans, with their prices known to the fake Stripe as the catalogue sync leaves them."""
    for plan in plans.values():
        stripe_fake.price_ensure(
            plan.stripe_monthly_price_id, amount=plan.monthly_price_cents, interval="month"
        )
        stripe_fake.price_ensure(
            plan.stripe_yearly_price_id, amount=plan.yearly_price_cents, interval="year"
        )
    return plans


@pytest.fixture
def deliver(stripe_fake: FakeStripe, django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """POST a Stripe event to the real webhook endpoint, signed with the webhook secret."""

    def post(event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, signature: str | None = None):
        body = json.dumps(event).encode()
        with django_capture_on_commit_callbacks(execute=True):
            return Client().post(
                reverse("billing:stripe_webhook"),
                data=body,
                content_type="application/json",
                headers={"Stripe-Signature": signature or sign(body, secret)},
            )

    return post
