"""Suite-wide test set-up: the test environment and an isolated cache per test."""

import os
import uuid

# Before Django reads its settings: test mode, and a cache key prefix of our own so parallel
# workers and earlier runs sharing one Redis never see each other's keys.
os.environ.setdefault("DJANGO_ENV", "test")
os.environ["CACHE_KEY_PREFIX"] = f"lumen-test-{uuid.uuid4().hex[:12]}"

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts with an empty cache (rate limits, sessions, counters)."""
    from django.core.cache import cache

    _clear(cache)
    yield
    _clear(cache)


def _clear(cache) -> None:
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")  # only this run's prefix, never other workers' keys
    else:
        cache.clear()
