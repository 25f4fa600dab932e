"""API tokens (simplejwt): issuing them at sign-in, rotating refresh tokens and revoking them.

Rules kept here, for every interface that hands out tokens:

- A refresh token works once. Rotating it blacklists it in the same transaction that issues the
  new pair, and the unique constraint on the blacklist row decides which of several simultaneous
  callers wins: exactly one gets a new pair, the others are refused.
- Tokens of an inactive user, and tokens issued before the user's password last changed (the
  "pwd" claim, simplejwt's CHECK_REVOKE_TOKEN), are refused. `LumenJWTAuthentication` applies the
  same two checks to access tokens.
- A user who has set up two-factor authentication must give a current code to get tokens, and
  instructors and admins (MFA_REQUIRED_FOR_STAFF) must have set it up: the API is not a way round
  the browser's second factor.
"""

from __future__ import annotations

from typing import TypedDict

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch, get_md5_hash_password

from accounts import lockout
from accounts.models import User
from core.exceptions import ApplicationError, PermissionDeniedError
from core.throttling import window_hit

# Wrong second-factor codes allowed per user and window before even a right one is refused.
SECOND_FACTOR_MAX_FAILURES = 5
SECOND_FACTOR_WINDOW_SECONDS = 300


class TokenPair(TypedDict):
    access: str
    refresh: str


class AuthenticationError(ApplicationError):
    """The caller could not be authenticated (HTTP 401)."""

    status_code = 401
    default_code = "authentication_failed"


class InvalidCredentialsError(AuthenticationError):
    default_code = "invalid_credentials"


class TokenRefusedError(AuthenticationError):
    default_code = "token_not_valid"


class SecondFactorRequiredError(AuthenticationError):
    default_code = "mfa_code_required"


class SecondFactorInvalidError(AuthenticationError):
    default_code = "mfa_code_invalid"


class SecondFactorSetupRequiredError(PermissionDeniedError):
    default_code = "mfa_setup_required"


class TooManyAttemptsError(ApplicationError):
    status_code = 429
    default_code = "too_many_attempts"


def token_pair_issue(*, user: User) -> TokenPair:
    """Issue an access and refresh token pair; the refresh token is recorded as outstanding."""
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


@transaction.atomic
def token_pair_obtain(
    *, email: str, password: str, otp_code: str = "", request: HttpRequest | None = None
) -> TokenPair:
    """Sign in by email, password and (if set up) 2FA code; inactive users fail like wrong ones;
    five failures in five minutes lock the account (accounts.lockout), the right password too."""
    lockout.login_attempt_begin(email=email)
    user = authenticate(request, email=email, password=password)
    if not isinstance(user, User):
        raise InvalidCredentialsError("No active account has this email and password.")
    lockout.login_attempt_succeeded(email=email)
    _second_factor_check(user=user, code=otp_code)
    update_last_login(None, user)
    return token_pair_issue(user=user)


@transaction.atomic
def token_pair_refresh(*, refresh: str) -> TokenPair:
    """Exchange a refresh token for a new pair, once: the token is blacklisted as it is used."""
    token = _refresh_token_decode(refresh)
    user = _refresh_token_user(token)
    if not _blacklist_first_time(token, user=user):
        raise TokenRefusedError("Token is blacklisted")
    return token_pair_issue(user=user)


@transaction.atomic
def refresh_token_revoke(*, refresh: str) -> None:
    """Blacklist a refresh token (sign out); revoking an already revoked token changes nothing."""
    token = _refresh_token_decode(refresh, token_class=_RevocableRefreshToken)
    _blacklist_first_time(token)


class _RevocableRefreshToken(RefreshToken):
    """A refresh token read for revocation: one already blacklisted is accepted, not refused."""

    def check_blacklist(self) -> None:
        return None


def _refresh_token_decode(
    raw: str, *, token_class: type[RefreshToken] = RefreshToken
) -> RefreshToken:
    """Check the signature, expiry, type and (for RefreshToken) the blacklist."""
    try:
        return token_class(raw)  # type: ignore[arg-type]  # simplejwt accepts str and bytes
    except TokenError as error:
        raise TokenRefusedError(str(error.args[0]) if error.args else "Token is invalid") from error


def _refresh_token_user(token: RefreshToken) -> User:
    """The token's user, who must still be active and have the password the token was issued for."""
    user = _user_or_none(token.get(jwt_settings.USER_ID_CLAIM))
    if user is None:
        raise TokenRefusedError("User not found", code="user_not_found")
    if not user.is_active:
        raise TokenRefusedError("User is inactive", code="user_inactive")
    if jwt_settings.CHECK_REVOKE_TOKEN and token.get(
        jwt_settings.REVOKE_TOKEN_CLAIM
    ) != get_md5_hash_password(user.password):
        raise TokenRefusedError("The user's password has been changed.", code="password_changed")
    return user


def _user_or_none(user_id: object) -> User | None:
    try:
        return User.objects.filter(**{jwt_settings.USER_ID_FIELD: user_id}).first()
    except (TypeError, ValueError):  # a claim that is not an id
        return None


def _blacklist_first_time(token: RefreshToken, *, user: User | None = None) -> bool:
    """Blacklist the token; True only for the one caller whose blacklist row was created.

    Must run inside a transaction. Simultaneous callers race on the unique blacklist row: on
    PostgreSQL the losers' INSERT waits for the winner's commit and then fails; on SQLite the
    IMMEDIATE transactions run one after the other and the later ones find the row.
    """
    jti = token[jwt_settings.JTI_CLAIM]
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=jti,
        defaults={
            # Only read when the row is missing (a token issued without being recorded).
            "user": lambda: user or _user_or_none(token.get(jwt_settings.USER_ID_CLAIM)),
            "token": str(token),
            "created_at": token.current_time,
            "expires_at": datetime_from_epoch(token["exp"]),
        },
    )
    try:
        with transaction.atomic():
            _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
    except IntegrityError:
        return False
    return created


def _second_factor_check(*, user: User, code: str) -> None:
    """Users with an authenticator must give a valid code; staff must have one when required."""
    from allauth.mfa.models import Authenticator

    authenticators = list(
        Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.WEBAUTHN)
    )
    if not authenticators:
        if user.is_staff_role and settings.MFA_REQUIRED_FOR_STAFF:
            raise SecondFactorSetupRequiredError(
                "Instructors and admins must turn on two-factor authentication in their account "
                "settings before signing in to the API."
            )
        return
    if not code:
        raise SecondFactorRequiredError(
            "This account uses two-factor authentication: send the code from your authenticator "
            "app (or a recovery code) as otp_code.",
            fields={"otp_code": ["This field is required."]},
        )
    failures_key = f"api-mfa-failures:{user.pk}"
    if (cache.get(failures_key) or 0) >= SECOND_FACTOR_MAX_FAILURES:
        raise TooManyAttemptsError(
            "Too many wrong codes; try again in a few minutes.",
            extra={"retry_after": SECOND_FACTOR_WINDOW_SECONDS},
        )
    if any(authenticator.wrap().validate_code(code) for authenticator in authenticators):
        return
    window_hit(failures_key, SECOND_FACTOR_WINDOW_SECONDS)
    raise SecondFactorInvalidError(
        "The code is not valid.", fields={"otp_code": ["The code is not valid."]}
    )
