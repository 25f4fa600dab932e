"""allauth hooks: self-registration goes through our service and always makes a student."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

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
