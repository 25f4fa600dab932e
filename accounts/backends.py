"""Authentication backends: Django's and allauth's, loading the signed-in user once per request
together with what every page reads about them.

A session request loads its user through the backend's `get_user()`. Apps add what their pages
read on every request to that one query through `settings.REQUEST_USER_LOADERS` (dotted paths of
`fn(queryset) -> queryset`: a `select_related` of a one-to-one row or an annotated subquery), so
the bell's unread count, the learning mode and the plan cost no query of their own; accounts
imports none of those apps. Readers fall back to their own query when the user came another way
(a JWT, a factory in a test), so nothing depends on the loader having run.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db.models import QuerySet
from django.utils.module_loading import import_string


def request_user_queryset() -> QuerySet[Any]:
    """Users as a session request loads them: with every app's loader applied."""
    queryset = get_user_model()._default_manager.all()
    for path in settings.REQUEST_USER_LOADERS:
        queryset = import_string(path)(queryset)
    return queryset


class _RequestUserMixin:
    def get_user(self, user_id: Any) -> Any:
        try:
            user = request_user_queryset().get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class ModelBackend(_RequestUserMixin, DjangoModelBackend):
    """Django's username/password backend (the admin's login)."""


class AuthenticationBackend(_RequestUserMixin, AllauthBackend):
    """allauth's e-mail login backend."""
