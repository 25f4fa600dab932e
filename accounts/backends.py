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

import functools
from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.signals import setting_changed
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils import timezone
from django.utils.module_loading import import_string


@functools.lru_cache(maxsize=1)
def _loaded_users(second: int) -> QuerySet[Any]:
    # Building the loaders' subqueries (resolving their expressions) costs about as much Python
    # as the query itself; built once per second per process, it is reused by every request in
    # it. A loader that reads the clock (billing's grace period) is thus at most a second old.
    queryset = get_user_model()._default_manager.all()
    for path in settings.REQUEST_USER_LOADERS:
        queryset = import_string(path)(queryset)
    return queryset


@receiver(setting_changed)
def _settings_changed(**_kwargs: Any) -> None:
    """A test's settings (the loaders, the grace period) take effect at once."""
    _loaded_users.cache_clear()


def request_user_queryset() -> QuerySet[Any]:
    """Users as a session request loads them: with every app's loader applied."""
    # `all()`: a copy of its own for each caller; the built one is never evaluated.
    return _loaded_users(int(timezone.now().timestamp())).all()


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
