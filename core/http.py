"""Small HTTP helpers shared by every app: where a form may send the browser back to, who is
calling (the client address behind the configured proxies), and what the request's user was
loaded with."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Model
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

# Methods that read: a request with one of them changes nothing it has already read.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def safe_next_url(request: HttpRequest, candidate: str | None, fallback: str) -> str:
    """`candidate` when it is a path (or URL) on this site, else `fallback` (a URL or URL name).

    Django's own check, the one its login view uses: it refuses other hosts, protocol-relative
    `//host` and `/\\host` (browsers read both as another host), other schemes (`javascript:`),
    control characters; in production an absolute URL must be https.
    """
    if candidate and url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure() or settings.IS_PRODUCTION,
    ):
        return candidate
    return resolve_url(fallback)


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address: REMOTE_ADDR, or with API_NUM_PROXIES proxies in front, the address
    the outermost of them saw (the same rule as the API's anonymous rate limit)."""
    num_proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if num_proxies and forwarded:
        addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
        if addresses:
            return addresses[-min(num_proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR") or None


def request_user_row(request: Any, model: type[Model]) -> tuple[bool, Any]:
    """(loaded, row) for `model`, a one-to-one to the user (its `user` field): whether the
    request's user came with it (a `select_related` of settings.REQUEST_USER_LOADERS) on a
    request that cannot have changed it since (a GET), and the row (None when they have none)."""
    user = request.user
    relation = model._meta.get_field("user").remote_field
    if request.method not in SAFE_METHODS or not relation.is_cached(user):
        return False, None
    return True, relation.get_cached_value(user)
