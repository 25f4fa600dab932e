"""dj-stripe's own check of a delivery can refuse what Lumen's first check let through."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client
from django.urls import reverse
from djstripe import models as djstripe_models

from billing import services
from billing.tests.conftest import WEBHOOK_SECRET
from billing.tests.fake_stripe import FakeStripe, event, sign

pytestmark = pytest.mark.django_db


def test_a_delivery_older_than_the_endpoints_own_tolerance_is_refused_and_not_applied(
    stripe_fake: FakeStripe,
) -> None:
    # An operator tightened the endpoint's tolerance in dj-stripe's admin to one minute; Lumen's
    # first check keeps Stripe's five. A delivery signed two minutes ago passes the first check
    # and is then refused by dj-stripe: answered 400, recorded as invalid, never processed.
    endpoint = services.webhook_endpoint_from_settings(url="http://testserver/billing/webhook/")
    endpoint.djstripe_tolerance = 60
    endpoint.save(update_fields=["djstripe_tolerance"])
    payload = event("customer.created", {"id": "cus_late", "object": "customer"})
    body = json.dumps(payload).encode()

    response = Client().post(
        reverse("billing:stripe_webhook"),
        data=body,
        content_type="application/json",
        headers={"Stripe-Signature": sign(body, WEBHOOK_SECRET, timestamp=int(time.time()) - 120)},
    )

    assert response.status_code == 400
    assert json.loads(response.content)["error"]["code"] == "invalid_signature"
    trigger = djstripe_models.WebhookEventTrigger.objects.get()
    assert trigger.valid is False
    assert trigger.processed is False
    assert not djstripe_models.Event.objects.filter(id=payload["id"]).exists()
    assert not djstripe_models.Customer.objects.filter(id="cus_late").exists()
