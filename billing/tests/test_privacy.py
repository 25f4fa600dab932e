"""Deleting an account strips the person from billing's copy of their Stripe customer."""

from __future__ import annotations

from typing import Any

import pytest
from djstripe import models as djstripe_models

from accounts.privacy import user_account_delete
from accounts.tests.factories import DEFAULT_PASSWORD, StudentFactory
from billing.privacy import SubscriptionStillActiveError
from billing.tests.factories import subscribe

pytestmark = pytest.mark.django_db

ADDRESS = {
    "city": "Brighton",
    "country": "GB",
    "line1": "1 Marine Parade",
    "line2": None,
    "postal_code": "BN2 1TL",
    "state": None,
}


def _customer(user: Any, stripe_id: str) -> djstripe_models.Customer:
    """A customer as dj-stripe mirrors one from Stripe: columns plus the object in stripe_data."""
    metadata = {"djstripe_subscriber": str(user.pk), "nickname": "Ada by the sea"}
    return djstripe_models.Customer.objects.create(
        id=stripe_id,
        subscriber=user,
        email=user.email,
        livemode=False,
        metadata=metadata,
        stripe_data={
            "id": stripe_id,
            "object": "customer",
            "address": ADDRESS,
            "balance": 0,
            "currency": "gbp",
            "description": "Ada Lovelace, the Brighton tutor",
            "email": user.email,
            "invoice_prefix": "ADA0001",
            "metadata": metadata,
            "name": "Ada Lovelace",
            "phone": "+44 1273 000000",
            "shipping": {"address": ADDRESS, "name": "Ada Lovelace", "phone": "+44 1273 000000"},
        },
    )


def test_deleting_the_account_anonymises_the_stripe_customer_and_keeps_its_ids() -> None:
    learner = StudentFactory(email="ada@example.com")
    other = StudentFactory(email="grace@example.com")
    _customer(learner, "cus_ada")
    _customer(other, "cus_grace")

    user_account_delete(user=learner, password=DEFAULT_PASSWORD)

    customer = djstripe_models.Customer.objects.get(id="cus_ada")
    assert customer.subscriber_id == learner.pk  # refunds and webhooks still find the ledger
    assert customer.email == ""
    assert customer.name is None
    assert customer.address is None
    assert customer.description == ""
    assert customer.metadata == {"djstripe_subscriber": str(learner.pk)}
    data = customer.stripe_data
    for field in ("address", "description", "email", "name", "phone", "shipping"):
        assert data[field] is None, field
    assert data["metadata"] == {"djstripe_subscriber": str(learner.pk)}
    assert (data["id"], data["currency"], data["invoice_prefix"]) == ("cus_ada", "gbp", "ADA0001")
    stored = str(data) + str(customer.metadata)
    for personal in ("ada@example.com", "Lovelace", "Brighton", "Marine", "1273", "by the sea"):
        assert personal not in stored

    untouched = djstripe_models.Customer.objects.get(id="cus_grace")
    assert untouched.email == "grace@example.com"
    assert untouched.stripe_data["name"] == "Ada Lovelace"
    assert untouched.metadata["nickname"] == "Ada by the sea"


def test_a_refused_deletion_leaves_the_customer_as_it_was() -> None:
    learner = StudentFactory(email="ada@example.com")
    _customer(learner, "cus_ada")
    subscribe(learner, "pro")  # renews: the deletion is refused

    with pytest.raises(SubscriptionStillActiveError):
        user_account_delete(user=learner, password=DEFAULT_PASSWORD)

    customer = djstripe_models.Customer.objects.get(id="cus_ada")
    assert customer.email == "ada@example.com"
    assert customer.stripe_data["phone"] == "+44 1273 000000"
    assert customer.metadata["nickname"] == "Ada by the sea"
