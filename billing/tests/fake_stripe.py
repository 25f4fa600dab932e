"""A local stand-in for api.stripe.com that speaks Stripe's wire protocol.

Requests arrive form-encoded with `Authorization: Bearer <secret key>` (and sometimes an
`Idempotency-Key`); answers are Stripe-shaped JSON objects or `{"error": {...}}` with Stripe's
status codes. `sign()` builds a `Stripe-Signature` header as Stripe signs webhooks.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict[str, str]
    idempotency_key: str | None


@dataclass
class FakeStripe:
    secret_key: str
    requests: list[RecordedRequest] = field(default_factory=list)
    fail_with_status: int | None = None
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _idempotent: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    url: str = ""

    def calls(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}"

    def handle(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if self.fail_with_status:
            return self.fail_with_status, {
                "error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}
            }
        if method == "POST" and path == "/v1/customers":
            return 200, {"id": self.new_id("cus"), "object": "customer", "email": params["email"]}
        if method == "POST" and path == "/v1/checkout/sessions":
            session_id = self.new_id("cs_test")
            return 200, {
                "id": session_id,
                "object": "checkout.session",
                "mode": params["mode"],
                "customer": params["customer"],
                "url": f"https://checkout.stripe.test/c/pay/{session_id}",
            }
        if method == "POST" and path == "/v1/billing_portal/sessions":
            session_id = self.new_id("bps")
            return 200, {
                "id": session_id,
                "object": "billing_portal.session",
                "url": f"https://billing.stripe.test/p/session/{session_id}",
            }
        if method == "POST" and path == "/v1/refunds":
            return 200, {
                "id": self.new_id("re"),
                "object": "refund",
                "payment_intent": params["payment_intent"],
                "status": "succeeded",
            }
        if method == "DELETE" and path.startswith("/v1/subscriptions/"):
            return 200, {
                "id": path.rsplit("/", 1)[1],
                "object": "subscription",
                "status": "canceled",
            }
        if method == "POST" and path == "/v1/products":
            return 200, {"id": self.new_id("prod"), "object": "product", "name": params["name"]}
        if method == "POST" and path == "/v1/prices":
            return 200, {
                "id": self.new_id("price"),
                "object": "price",
                "product": params["product"],
                "unit_amount": int(params["unit_amount"]),
            }
        return 404, {
            "error": {
                "type": "invalid_request_error",
                "message": f"Unrecognized request URL ({path}).",
            }
        }


def _handler_for(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            path, _, query = self.path.partition("?")
            params = dict(parse_qsl(body or query, keep_blank_values=True))
            key = self.headers.get("Idempotency-Key")
            fake.requests.append(RecordedRequest(method, path, params, key))
            if self.headers.get("Authorization") != f"Bearer {fake.secret_key}":
                status, payload = (
                    401,
                    {"error": {"type": "invalid_request_error", "message": "Invalid API Key."}},
                )
            elif key and key in fake._idempotent:
                status, payload = fake._idempotent[key]
            else:
                status, payload = fake.handle(method, path, params)
                if key and status == 200:
                    fake._idempotent[key] = (status, payload)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Request-Id", f"req_{len(fake.requests)}")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

    return Handler


class FakeStripeServer:
    """Serves a FakeStripe on 127.0.0.1 and a free port, in a background thread."""

    def __init__(self, secret_key: str) -> None:
        self.fake = FakeStripe(secret_key=secret_key)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self.fake))
        self.fake.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeStripe:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe sends: t=<unix time>,v1=<HMAC-SHA256 of "t.payload">."""
    stamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{stamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def event(event_type: str, obj: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """A Stripe event envelope around `obj`."""
    return {
        "id": event_id or f"evt_{abs(hash((event_type, json.dumps(obj, sort_keys=True)))):x}",
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": int(time.time()),
        "livemode": False,
        "type": event_type,
        "data": {"object": obj},
    }
