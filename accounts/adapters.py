"""allauth hooks: self-registration goes through our service and always makes a student; every
password attempt counts against the account's lockout (accounts.lockout), as the API's do."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from accounts import lockout
from core.roles import Role


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        from accounts.services import user_create

        if not commit:
            return super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        return user_create(
            email=data["email"],
            password=data.get("password1"),
            role=Role.STUDENT,
            display_name=data.get("display_name", ""),
        )

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        super().pre_authenticate(request, **credentials)  # allauth's own per-IP and per-key limits
        try:
            lockout.login_attempt_begin(email=credentials.get("email", ""))
        except lockout.AccountLockedError as error:
            raise self.validation_error("too_many_login_attempts") from error

    def authenticate(self, request: HttpRequest, **credentials: Any) -> Any:
        user = super().authenticate(request, **credentials)
        if user is not None:
            lockout.login_attempt_succeeded(email=credentials.get("email", ""))
        return user
