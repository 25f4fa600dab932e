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
