"""Exact API rate limits: an atomic counter per caller and window, shared by every process.

DRF's stock throttles read the request history from the cache and then write it back, so a burst
of parallel requests all read the same history and all pass. Here each request atomically
increments a counter (a Lua script in Redis: INCR, and EXPIRE on the first hit), so the N+1-th
request in a window is refused however many workers serve the burst. Without Redis (the embedded
default) the local-memory cache's add/incr, which hold a lock, give the same guarantee in one
process.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from typing import Any

from django.core.cache import cache
from redis.exceptions import RedisError
from rest_framework import throttling
from rest_framework.request import Request
from rest_framework.settings import api_settings

logger = logging.getLogger("lumen.throttling")

# Returns [count, milliseconds until the window resets].
_INCREMENT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""


def _redis_client() -> Any | None:
    """The raw Redis client behind the default cache, or None when the cache is not Redis."""
    client = getattr(cache, "client", None)
    if client is None or not hasattr(client, "get_client"):
        return None
    return client.get_client(write=True)


def window_hit(key: str, window_seconds: int) -> tuple[int, float]:
    """Count one hit for `key`; return (hits in the current window, seconds until it resets)."""
    redis_client = _redis_client()
    full_key = cache.make_key(key)
    if redis_client is not None:
        try:
            count, ttl_ms = redis_client.eval(_INCREMENT_SCRIPT, 1, full_key, window_seconds * 1000)
        except RedisError:
            # Redis is down: serve the request unthrottled rather than fail it (documented in
            # docs/architecture.md, "Rate limits"); /readyz reports the cache meanwhile.
            logger.warning("Rate limit not counted: Redis is unavailable", exc_info=True)
            return 0, float(window_seconds)
        return int(count), int(ttl_ms) / 1000
    # Local-memory cache: `add` creates the window once, `incr` is atomic under its lock.
    now = time.time()
    cache.add(f"{key}:reset", now + window_seconds, window_seconds)
    cache.add(key, 0, window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the window expired between add and incr: start a new one
        cache.add(f"{key}:reset", now + window_seconds, window_seconds)
        cache.add(key, 1, window_seconds)
        count = 1
    reset_at = cache.get(f"{key}:reset", now + window_seconds)
    return count, max(reset_at - now, 0.0)


_UNDO_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('DECR', KEYS[1])
end
return 0
"""


def window_undo(key: str) -> None:
    """Take back one hit of `key` (an attempt that turned out to be allowed); the window's end
    does not move, and a window that has already closed is left alone."""
    redis_client = _redis_client()
    if redis_client is not None:
        try:
            redis_client.eval(_UNDO_SCRIPT, 1, cache.make_key(key))
        except RedisError:
            logger.warning("Rate limit hit not taken back: Redis is unavailable", exc_info=True)
        return
    with contextlib.suppress(ValueError):  # the window expired meanwhile: nothing to undo
        cache.decr(key)


class _AtomicRateThrottle(throttling.SimpleRateThrottle):
    """A fixed window that opens at a caller's first request and lasts the rate's period."""

    def get_rate(self) -> str | None:
        # Read at request time (not import time) so a settings change takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        count, self.seconds_left = window_hit(self.key, int(self.duration))
        return count <= self.num_requests

    def wait(self) -> float:
        return float(max(math.ceil(self.seconds_left), 1))


class UserRateThrottle(_AtomicRateThrottle):
    """100 requests a minute per signed-in user (settings: API_THROTTLE_USER)."""

    scope = "user"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        return f"throttle:{self.scope}:{request.user.pk}"


class AnonRateThrottle(_AtomicRateThrottle):
    """A lower rate per client IP for anonymous callers (settings: API_THROTTLE_ANON)."""

    scope = "anon"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return f"throttle:{self.scope}:{self.get_ident(request)}"
