"""Suite-wide test set-up: the test environment and an isolated cache per test."""

import os
import uuid

import pytest
from django.conf import settings

# pytest-django has already read the settings when this file is imported (lms/settings.py
# recognises a pytest run as DJANGO_ENV=test); subprocesses started by tests inherit this.
os.environ.setdefault("DJANGO_ENV", "test")

# A key prefix of this process's own (every xdist worker imports this file, none has built a cache
# yet), so parallel workers and earlier runs sharing one Redis never see each other's keys.
# The environment cannot do this: workers inherit the controller's environment.
_KEY_PREFIX = f"lumen-test-{uuid.uuid4().hex[:12]}"
settings.CACHE_KEY_PREFIX = _KEY_PREFIX
for _cache in settings.CACHES.values():
    _cache["KEY_PREFIX"] = _KEY_PREFIX
for _layer in settings.CHANNEL_LAYERS.values():
    if "prefix" in _layer.get("CONFIG", {}):
        _layer["CONFIG"]["prefix"] = f"{_KEY_PREFIX}:channels"


def _clear_this_prefix_only(self) -> None:  # type: ignore[no-untyped-def]
    """django-redis's clear() is FLUSHDB: under xdist it wiped every other worker's keys,
    their signed-in sessions included (a leaderboard test was sent to the login page in CI).
    In tests, clear() empties this process's prefix only, whoever calls it."""
    self.delete_pattern("*")


try:
    from django_redis.cache import RedisCache
except ImportError:  # pragma: no cover - django-redis is in requirements.txt
    pass
else:
    RedisCache.clear = _clear_this_prefix_only


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts with an empty cache (rate limits, sessions, counters)."""
    from django.core.cache import cache

    cache.clear()  # only this process's prefix, never other workers' keys (see above)
    yield
    cache.clear()
