"""The one door to Stripe: every call Lumen makes, with the configured keys and a timeout.

Services call these functions; nothing else in Lumen imports `stripe` (dj-stripe, which mirrors
Stripe's objects from webhook events, calls it through the module's globals, configured here).
`STRIPE_API_BASE` exists so the tests (and a local stripe-mock) can stand in for api.stripe.com.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import stripe
from django.conf import settings

from billing.exceptions import (
    PaymentsNotConfiguredError,
    StripeTransientError,
    StripeUnavailableError,
    WebhookSignatureError,
)

# dj-stripe raises the stripe library's errors; services catch them under this name.
StripeError = stripe.StripeError
# Errors the same request may not meet later: no connection or a timeout, Stripe's 5xx (and 409,
# a lock timeout: APIError) and its rate limit. The rest (a bad key, an invalid request) would be
# refused again.
_TRANSIENT_ERRORS = (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError)


def is_configured() -> bool:
    """True when the keys needed to take payments are set."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY)


def _client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise PaymentsNotConfiguredError("Payments are not configured on this Lumen site yet.")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
        max_network_retries=2,
    )


def _unavailable(error: stripe.StripeError) -> StripeUnavailableError:
    """Stripe's error as ours: StripeTransientError when retrying later may succeed."""
    message = error.user_message or "The payment provider could not complete the request."
    if isinstance(error, _TRANSIENT_ERRORS):
        return StripeTransientError(message)
    return StripeUnavailableError(message)


def _call(operation: Any, params: dict[str, Any], **options: Any) -> Any:
    try:
        return operation(params=params, options=options or None)
    except stripe.StripeError as error:
        raise _unavailable(error) from error


def checkout_session_create(
    *,
    mode: str,
    customer_id: str,
    price_id: str,
    success_url: str,
    cancel_url: str,
    metadata: dict[str, str],
    client_reference_id: str,
) -> tuple[str, str]:
    """Open a Stripe Checkout session (mode "subscription" or "payment"); returns (id, url)."""
    params: dict[str, Any] = {
        "mode": mode,
        "customer": customer_id,
        "line_items": [{"price": price_id, "quantity": 1}],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": client_reference_id,
        "metadata": metadata,
    }
    if mode == "subscription":
        params["subscription_data"] = {"metadata": metadata}
    else:
        params["payment_intent_data"] = {"metadata": metadata}
    session = _call(_client().v1.checkout.sessions.create, params)
    return str(session.id), str(session.url)


def billing_portal_session_create(*, customer_id: str, return_url: str) -> str:
    """Open the Stripe customer portal (plan changes, cancellation, cards); returns its URL."""
    session = _call(
        _client().v1.billing_portal.sessions.create,
        {"customer": customer_id, "return_url": return_url},
    )
    return str(session.url)


def refund_create(*, payment_intent_id: str, idempotency_key: str) -> str:
    """Refund a payment in full; returns the refund's id."""
    refund = _call(
        _client().v1.refunds.create,
        {"payment_intent": payment_intent_id},
        idempotency_key=idempotency_key,
    )
    return str(refund.id)


def subscription_cancel(*, subscription_id: str) -> None:
    """Cancel a subscription now (after its last invoice was refunded)."""
    try:
        _client().v1.subscriptions.cancel(subscription_id)
    except stripe.StripeError as error:
        raise StripeUnavailableError("Stripe could not cancel the subscription.") from error


# The customer's fields that identify the person; sent empty, which is how Stripe unsets a field
# (a whole address or shipping hash included).
REDACTED_CUSTOMER_FIELDS = (
    "address",
    "business_name",
    "description",
    "email",
    "individual_name",
    "name",
    "phone",
    "shipping",
)


def customer_redact(*, customer_id: str, kept_metadata_keys: Collection[str]) -> bool:
    """Erase the person from a Stripe customer: name, e-mail, phone, description, addresses, and
    every metadata key but `kept_metadata_keys`. False when Stripe no longer has the customer
    (nothing left there to erase), True once it is updated; the same call again changes nothing.

    The customer is updated, not deleted: deleting a Stripe customer cancels its subscriptions at
    once and leaves its charges, invoices and refunds pointing at a deleted object, while Lumen
    still refunds those payments and applies their webhooks (refunds, disputes, the subscription
    that ends at the period's end) through the ledger rows the kept metadata names.

    Raises StripeTransientError when Stripe cannot be reached now, StripeUnavailableError when it
    refuses the request, PaymentsNotConfiguredError without a secret key.
    """
    client = _client()
    try:
        customer = client.v1.customers.retrieve(customer_id).to_dict()
        if customer.get("deleted"):
            return False
        params: dict[str, Any] = dict.fromkeys(REDACTED_CUSTOMER_FIELDS, "")
        # Metadata is merged on update: a key goes only when it is sent empty.
        metadata = customer.get("metadata") or {}
        unset = {key: "" for key in metadata if key not in kept_metadata_keys}
        if unset:
            params["metadata"] = unset
        client.v1.customers.update(customer_id, params=params)
    except stripe.StripeError as error:
        # The requests name no other object, so a missing resource is the customer itself
        # (never known in this mode, or deleted between the retrieval and the update).
        if isinstance(error, stripe.InvalidRequestError) and error.code == "resource_missing":
            return False
        raise _unavailable(error) from error
    return True


def product_create(*, name: str, description: str, lookup: str) -> str:
    """Create a product; returns its id."""
    params: dict[str, Any] = {"name": name, "metadata": {"lumen": lookup}}
    if description:
        params["description"] = description
    product = _call(_client().v1.products.create, params, idempotency_key=f"lumen-product-{lookup}")
    return str(product.id)


def price_create(
    *, product_id: str, amount_cents: int, currency: str, interval: str | None, lookup: str
) -> str:
    """Create a price (recurring when `interval` is given); returns its id."""
    params: dict[str, Any] = {
        "product": product_id,
        "unit_amount": amount_cents,
        "currency": currency,
        "lookup_key": lookup,
    }
    if interval:
        params["recurring"] = {"interval": interval}
    price = _call(
        _client().v1.prices.create, params, idempotency_key=f"lumen-price-{lookup}-{amount_cents}"
    )
    return str(price.id)


def webhook_signature_verify(*, payload: bytes, signature_header: str) -> None:
    """Check a delivery's Stripe-Signature against STRIPE_WEBHOOK_SECRET (300 s tolerance).

    dj-stripe checks it again before processing; checking first means a forged request is turned
    away before dj-stripe records anything about it.
    """
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise PaymentsNotConfiguredError("Stripe webhooks are not configured.")
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"),
            signature_header,
            settings.STRIPE_WEBHOOK_SECRET,
            stripe.Webhook.DEFAULT_TOLERANCE,
        )
    except UnicodeDecodeError as error:
        raise WebhookSignatureError("The webhook payload is not valid UTF-8.") from error
    except stripe.SignatureVerificationError as error:
        raise WebhookSignatureError("The webhook signature is invalid.") from error


def global_client_configure() -> None:
    """dj-stripe calls Stripe through the stripe module's globals: give them our timeout."""
    stripe.default_http_client = stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS)
    stripe.max_network_retries = 2
