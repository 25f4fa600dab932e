"""Per-account sign-in lockout, shared by every way of giving a password.

Each password attempt for an email address counts in a fixed window (LOGIN_WINDOW_SECONDS from
the first attempt, one atomic counter: core.throttling.window_hit) before the password is even
checked; an attempt that succeeds is taken back. After LOGIN_MAX_FAILURES failures in the window
every further attempt is refused, the right password included, until the window closes. The API
login, the browser login (allauth's adapter, accounts.adapters) and password re-entry (account
deletion) all count here, so failing on one does not open another. allauth's own limits
(settings.ACCOUNT_RATE_LIMITS "login_failed": per IP and per account) stay on the browser login
too.

The price of a per-account limit: anyone who knows an address can keep it locked by failing on
purpose. The window is short (5 minutes) and a password reset still works.
"""

from __future__ import annotations

import hashlib
import math

from core.exceptions import ApplicationError
from core.throttling import window_hit, window_undo

LOGIN_MAX_FAILURES = 5
LOGIN_WINDOW_SECONDS = 300


class AccountLockedError(ApplicationError):
    """Too many failed sign-ins for one account (HTTP 429, with `retry_after` seconds)."""

    status_code = 429
    default_code = "account_locked"


def _key(email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"login-failures:{digest}"


def login_attempt_begin(*, email: str) -> None:
    """Count one password attempt for `email`; raise AccountLockedError if it is locked."""
    count, seconds_left = window_hit(_key(email), LOGIN_WINDOW_SECONDS)
    if count > LOGIN_MAX_FAILURES:
        retry_after = max(math.ceil(seconds_left), 1)
        minutes = max(math.ceil(retry_after / 60), 1)
        raise AccountLockedError(
            f"Too many failed sign-in attempts for this account; try again in {minutes} "
            f"minute{'s' if minutes != 1 else ''}.",
            extra={"retry_after": retry_after},
        )


def login_attempt_succeeded(*, email: str) -> None:
    """The attempt begun for `email` gave the right password: it does not count as a failure."""
    window_undo(_key(email))
