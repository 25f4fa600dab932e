"""A local push service speaking the Web Push protocol (RFC 8030, VAPID RFC 8292, RFC 8291).

It checks what a real one checks: the VAPID JWT's ES256 signature against the `k` key, its
audience and expiry, the TTL header and the aes128gcm encoding, then decrypts the payload with
the subscriber's private key, as the browser would. `/gone/...` endpoints answer 410 (an expired
subscription), `/busy/...` 503.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64url_encode(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode()


@dataclass
class Subscriber:
    """A browser's side of a subscription: the key pair and auth secret it would hold."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url_encode(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url_encode(self.auth_secret)


def vapid_keys() -> tuple[str, str]:
    """A fresh (public, private) VAPID pair in the formats the settings take."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url_encode(public), b64url_encode(private)


class FakePushService:
    def __init__(self) -> None:
        self.subscribers: dict[str, Subscriber] = {}
        self.received: list[dict[str, Any]] = []
        self.rejected: list[str] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                status, reason = service.handle(self)
                self.send_response(status)
                self.send_header("Content-Length", str(len(reason)))
                self.end_headers()
                self.wfile.write(reason.encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def subscribe(self, path: str = "") -> tuple[str, Subscriber]:
        """A new endpoint on this service, with the subscriber that can read its messages."""
        endpoint = f"{self.origin}/{path or 'push'}/{b64url_encode(os.urandom(9))}"
        subscriber = Subscriber()
        self.subscribers[endpoint] = subscriber
        return endpoint, subscriber

    def __enter__(self) -> FakePushService:
        self.thread.start()
        return self

    def __exit__(self, *args: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, request: BaseHTTPRequestHandler) -> tuple[int, str]:
        endpoint = self.origin + request.path
        body = request.rfile.read(int(request.headers.get("Content-Length", "0")))
        if request.path.startswith("/gone/"):
            return 410, "subscription expired"
        if request.path.startswith("/busy/"):
            return 503, "try later"
        subscriber = self.subscribers.get(endpoint)
        if subscriber is None:
            return 404, "no such subscription"
        problem = self._check_headers(request)
        if problem:
            self.rejected.append(problem)
            return 400 if problem != "bad vapid" else 403, problem
        payload = http_ece.decrypt(
            body,
            private_key=subscriber.private_key,
            auth_secret=subscriber.auth_secret,
            version="aes128gcm",
        )
        self.received.append(
            {
                "endpoint": endpoint,
                "ttl": int(request.headers["TTL"]),
                "payload": json.loads(payload),
            }
        )
        return 201, ""

    def _check_headers(self, request: BaseHTTPRequestHandler) -> str:
        if request.headers.get("Content-Encoding") != "aes128gcm":
            return "content encoding must be aes128gcm"
        if not (request.headers.get("TTL") or "").isdigit():
            return "TTL header required"
        authorization = request.headers.get("Authorization", "")
        if not authorization.startswith("vapid "):
            return "bad vapid"
        params = dict(
            part.strip().split("=", 1) for part in authorization[len("vapid ") :].split(",")
        )
        try:
            header, claims, signature = params["t"].split(".")
            public = ec.EllipticCurvePublicKey.from_encoded_point(
                ec.SECP256R1(), b64url_decode(params["k"])
            )
            raw = b64url_decode(signature)
            der = encode_dss_signature(
                int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
            )
            public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
            claim = json.loads(b64url_decode(claims))
        except Exception:  # any malformed token is a refusal, as a real service does
            return "bad vapid"
        if claim.get("aud") != self.origin or claim.get("exp", 0) < time.time():
            return "bad vapid"
        if not str(claim.get("sub", "")).startswith(("mailto:", "https:")):
            return "bad vapid"
        return ""
