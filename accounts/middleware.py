"""Two-factor authentication is required for instructors and admins (MFA_REQUIRED_FOR_STAFF)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from accounts.selectors import REQUEST_HAS_TOTP

# Pages a staff member without TOTP may still reach: setting it up, signing out, the public
# health endpoints and static files. The API authenticates with tokens and is not redirected.
_ALLOWED_PREFIXES = (
    "/accounts/",
    "/profile/theme/",
    "/static/",
    "/media/",
    "/healthz",
    "/readyz",
    "/api/",
)


def user_needs_totp(user: object) -> bool:
    """True when the user's role requires TOTP and they have not set it up yet."""
    from allauth.mfa.models import Authenticator

    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff_role", False):
        return False
    if hasattr(user, REQUEST_HAS_TOTP):  # loaded with the user (accounts.selectors)
        return not getattr(user, REQUEST_HAS_TOTP)
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireStaffMfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.MFA_REQUIRED_FOR_STAFF
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and user_needs_totp(request.user)
        ):
            messages.warning(
                request,
                "Instructors and admins must turn on two-factor authentication before continuing.",
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
