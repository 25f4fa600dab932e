"""The one client for web push services (RFC 8030 + VAPID RFC 8292, aes128gcm payloads)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from pywebpush import WebPushException, webpush

TIMEOUT_SECONDS = 10
TTL_SECONDS = 24 * 60 * 60
# The push services browsers subscribe with (Chrome/Edge/Opera: FCM; Firefox: Mozilla autopush;
# Safari: Apple; legacy Edge: WNS). A subscription is a URL the worker will POST to, so any
# other host is refused outside development and tests: no request forgery into private networks.
PUSH_SERVICE_HOST_SUFFIXES = (
    "fcm.googleapis.com",
    "android.googleapis.com",
    "push.services.mozilla.com",
    "push.apple.com",
    "notify.windows.com",
)


class PushGoneError(Exception):
    """The push service says the subscription no longer exists (404/410): prune it."""


class PushTransientError(Exception):
    """The push service could not take the message now (network, 429, 5xx): retry later."""


@dataclass(frozen=True)
class Device:
    endpoint: str
    p256dh: str
    auth: str


def is_configured() -> bool:
    return bool(settings.VAPID_PRIVATE_KEY and settings.VAPID_PUBLIC_KEY)


def _b64url_bytes(value: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def vapid_key_pair() -> tuple[str, str]:
    """A new (public, private) P-256 pair, base64url: the uncompressed point and the raw key."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return _b64url(public), _b64url(private)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def is_known_push_service(endpoint: str) -> bool:
    """True for an https URL on one of the browsers' push services."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and any(
        host == suffix or host.endswith("." + suffix) for suffix in PUSH_SERVICE_HOST_SUFFIXES
    )


def is_public_key(value: str) -> bool:
    """A subscriber's key as browsers send it: an uncompressed P-256 point, base64url."""
    raw = _b64url_bytes(value) if isinstance(value, str) and len(value) <= 200 else None
    return raw is not None and len(raw) == 65 and raw[0] == 4


def is_auth_secret(value: str) -> bool:
    """A subscriber's auth secret: 16 random bytes, base64url."""
    raw = _b64url_bytes(value) if isinstance(value, str) and len(value) <= 100 else None
    return raw is not None and len(raw) == 16


def send(*, device: Device, payload: dict[str, Any]) -> int:
    """Encrypt and post one message to one device; returns the push service's status code."""
    audience = "{0.scheme}://{0.netloc}".format(urlsplit(device.endpoint))
    try:
        response = webpush(
            subscription_info={
                "endpoint": device.endpoint,
                "keys": {"p256dh": device.p256dh, "auth": device.auth},
            },
            data=json.dumps(payload),
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            vapid_claims={"sub": settings.VAPID_SUBJECT, "aud": audience},
            ttl=TTL_SECONDS,
            timeout=TIMEOUT_SECONDS,
        )
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        if status in (404, 410):
            raise PushGoneError(str(status)) from error
        if status is None or status == 429 or status >= 500:
            raise PushTransientError(str(error)) from error
        raise
    except OSError as error:  # connection refused, DNS, timeouts (requests' errors are OSError)
        raise PushTransientError(str(error)) from error
    return response.status_code
