"""The catalog's cache: its facets and filter form for everyone, and its results as anonymous
visitors see them.

Both are stored under a catalog version (a counter in the cache), and any change to what they
show bumps it: a course or category saved or deleted, or a course's instructors changed (see
courses.apps). So a course published, unpublished, renamed or moved is right on the very next
request. What changes by queryset `update()` without a save (a course's enrollment count and
rating, bumped with each enrollment and review) is at most `CATALOG_CACHE_SECONDS` old, as are
instructors' display names; 0 turns the cache off. Signed-in learners' results are never cached:
their cards show their own progress. Without Redis (settings.DJANGO_REDIS_IGNORE_EXCEPTIONS) every
read misses and the catalog is computed as if there were no cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "courses:catalog:version"
T = TypeVar("T")


def _seconds() -> int:
    return settings.CATALOG_CACHE_SECONDS


def version() -> int:
    """The current catalog version (1 when the cache has none, e.g. after a Redis restart)."""
    current = cache.get(VERSION_KEY)
    if current is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        current = cache.get(VERSION_KEY, 1)
    return int(current)


def invalidate(**_signal_kwargs: Any) -> None:
    """Make every cached facet and results page stale (a signal receiver, or call it directly)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version stored yet: nothing cached under one either
        cache.add(VERSION_KEY, 1, timeout=None)


def changed(**_signal_kwargs: Any) -> None:
    """A receiver for saves and deletes of what the catalog shows: invalidates at once (this
    request's next read) and again when the transaction commits, so a request that read the old
    rows before the commit and cached them under the new version is made stale too."""
    invalidate()
    transaction.on_commit(invalidate)


def _cached(key: str, compute: Callable[[], T]) -> T:
    if _seconds() <= 0:
        return compute()
    full_key = f"courses:catalog:{version()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, timeout=_seconds())
    return value


def facets(compute: Callable[[], T]) -> T:
    """The catalog's facets (categories with counts, languages), computed once per version."""
    return _cached("facets", compute)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def filters_form(query_string: str, render: Callable[[], str]) -> str:
    """The HTML of the filter form for the request's query (it shows the facets and the values
    chosen, nobody's own data: the same for every visitor, signed in or not)."""
    return _cached(f"filters:{_digest(query_string)}", render)


def anonymous_results(query_string: str, page: str, render: Callable[[], str]) -> str:
    """The HTML of one page of results as an anonymous visitor sees it, for the request's query
    (without `page`) and its raw `page` parameter."""
    return _cached(f"results:{_digest(query_string, page)}", render)
