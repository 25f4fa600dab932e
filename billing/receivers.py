"""Billing's reactions to other apps' events: dj-stripe's webhook signals, and sign-ups."""

from __future__ import annotations

from typing import Any

from djstripe.signals import WEBHOOK_SIGNALS

from billing.middleware import REFERRAL_COOKIE
from billing.services import STRIPE_EVENT_HANDLERS, referral_attribute_from_code, stripe_event_apply


def credit_referral_on_signup(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """allauth's user_signed_up: the referral cookie names the affiliate who brought them."""
    code = getattr(request, "COOKIES", {}).get(REFERRAL_COOKIE, "") if request else ""
    if code:
        referral_attribute_from_code(user=user, code=code, strict=False)


def apply_stripe_event(sender: Any, event: Any, **kwargs: Any) -> None:
    """dj-stripe's per-event-type signal, sent once per event id after it synced the object."""
    stripe_event_apply(event=event)


def connect_stripe_events() -> None:
    """Listen to the event types that change what a learner may open."""
    for event_type in STRIPE_EVENT_HANDLERS:
        WEBHOOK_SIGNALS[event_type].connect(
            apply_stripe_event, dispatch_uid=f"billing-stripe-{event_type}"
        )
