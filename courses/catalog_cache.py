"""The catalog's cache: its facets and filter form for everyone, and its results as anonymous
visitors see them.

All are stored under a catalog version (a counter in the cache), and any change to what they
show bumps it: a course, category or lesson saved or deleted, or a course's instructors changed (see
courses.apps). So a course published, unpublished, renamed or moved is right on the very next
request. What changes by queryset `update()` without a save (a course's enrollment count and
rating, bumped with each enrollment and review) is at most `CATALOG_CACHE_SECONDS` old, as are
instructors' display names; 0 turns the cache off. A page of results is cached twice: whole, as
anonymous visitors see it, and as its courses' ids and cards (nobody's progress), from which a
signed-in learner's page is made, the cards of the courses they are enrolled in rendered afresh
with their progress (so it is right on their very next request). Without Redis
(settings.DJANGO_REDIS_IGNORE_EXCEPTIONS) every read misses and the catalog is computed as if
there were no cache.
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


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


class CatalogCache:
    """One request's view of the cache: the version read once, and what the request will need
    read in one round trip (`prefetch`), so a page served whole from the cache costs two."""

    def __init__(self, query_string: str, page: str) -> None:
        self.enabled = _seconds() > 0
        self.version = version() if self.enabled else 0
        self.keys = {
            "facets": "facets",
            # The filter form shows the facets and the values chosen, nobody's own data: the
            # same for every visitor, signed in or not.
            "filters": f"filters:{_digest(query_string)}",
            # One page of results as an anonymous visitor sees it, for the query (without
            # `page`) and the raw `page` parameter.
            "results": f"results:{_digest(query_string, page)}",
            # The same page's course ids, cards and total, for signed-in learners.
            "cards": f"cards:{_digest(query_string, page)}",
        }
        self._found: dict[str, Any] = {}

    def _key(self, name: str) -> str:
        return f"courses:catalog:{self.version}:{self.keys[name]}"

    def prefetch(self, *names: str) -> None:
        if self.enabled:
            found = cache.get_many([self._key(name) for name in names])
            self._found.update(
                {name: found[self._key(name)] for name in names if self._key(name) in found}
            )

    def get(self, name: str, compute: Callable[[], T]) -> T:
        """The cached `name` (facets, filters, results or cards), computed and stored on a miss."""
        if not self.enabled:
            return compute()
        if name not in self._found:
            value = cache.get(self._key(name))
            if value is None:
                value = compute()
                cache.set(self._key(name), value, timeout=_seconds())
            self._found[name] = value
        return self._found[name]
