"""Billing's reactions to other apps' events: credit a new user's referring affiliate."""

from __future__ import annotations

from typing import Any

from billing.middleware import REFERRAL_COOKIE
from billing.services import referral_attribute_from_code


def credit_referral_on_signup(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """allauth's user_signed_up: the referral cookie names the affiliate who brought them."""
    code = getattr(request, "COOKIES", {}).get(REFERRAL_COOKIE, "") if request else ""
    if code:
        referral_attribute_from_code(user=user, code=code, strict=False)
