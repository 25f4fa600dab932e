"""A local stand-in for api.stripe.com that speaks Stripe's wire protocol and keeps its objects.

Requests arrive form-encoded with `Authorization: Bearer <secret key>` (and sometimes an
`Idempotency-Key`); answers are Stripe-shaped JSON objects or `{"error": {...}}` with Stripe's
status codes. Objects it creates (customers, Checkout sessions, subscriptions, invoices, charges,
refunds ...) are kept, so dj-stripe can retrieve them by id while it syncs a webhook event, as it
does against Stripe.

`pay_checkout()` plays the customer paying on Stripe's Checkout page: it creates what Stripe would
(a subscription and its paid invoice, or a payment) and returns the events Stripe would send, which
`sign()` signs as Stripe signs webhooks. The hosted page itself (`/c/pay/<session>`) has a Pay
button that does the same and POSTs the signed events to `webhook_url`, for browser tests.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import itertools
import json
import re
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

ACCOUNT_ID = "acct_fakelumen"
API_VERSION = "2026-05-27.dahlia"

# What POST /v1/customers/<id> accepts (Stripe refuses any other parameter).
CUSTOMER_UPDATE_PARAMS = {
    "address",
    "balance",
    "business_name",
    "cash_balance",
    "default_source",
    "description",
    "email",
    "expand",
    "individual_name",
    "invoice_prefix",
    "invoice_settings",
    "metadata",
    "name",
    "next_invoice_sequence",
    "phone",
    "preferred_locales",
    "shipping",
    "source",
    "tax",
    "tax_exempt",
}

# URL segment -> Stripe object name, for GET /v1/<segment>/<id>.
RESOURCES = {
    "customers": "customer",
    "subscriptions": "subscription",
    "invoices": "invoice",
    "charges": "charge",
    "payment_intents": "payment_intent",
    "refunds": "refund",
    "prices": "price",
    "products": "product",
    "checkout/sessions": "checkout.session",
    "events": "event",
    "subscription_items": "subscription_item",
}


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict[str, str]
    idempotency_key: str | None


def nest(params: dict[str, str]) -> dict[str, Any]:
    """Stripe's form encoding (`metadata[user_id]=3`, `line_items[0][price]=p`) as nested JSON."""
    result: dict[str, Any] = {}
    for key, value in params.items():
        parts = re.findall(r"[^\[\]]+", key)
        node: Any = result
        for part, following in itertools.zip_longest(parts, parts[1:]):
            if following is None:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists(result)


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


def _not_found(kind: str, object_id: str) -> tuple[int, dict[str, Any]]:
    return 404, {
        "error": {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "param": "id",
            "message": f"No such {kind}: '{object_id}'",
        }
    }


@dataclass
class FakeStripe:
    secret_key: str
    requests: list[RecordedRequest] = field(default_factory=list)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_with_status: int | None = None
    webhook_url: str = ""
    webhook_secret: str = ""
    url: str = ""
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _idempotent: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def calls(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}"

    def store(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Keep an object so it can be retrieved by id (tests may seed Stripe's side with it)."""
        obj.setdefault("livemode", False)
        obj.setdefault("created", int(time.time()))
        obj.setdefault("metadata", {})
        self.objects[obj["id"]] = obj
        return obj

    # --- the API ----------------------------------------------------------------------------------

    def handle(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if self.fail_with_status:
            return self.fail_with_status, {
                "error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}
            }
        with self._lock:
            return self._handle(method, path, nest(params))

    def _handle(self, method: str, path: str, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "GET" and path == "/v1/account":
            return 200, self.account()
        if method == "POST" and path == "/v1/customers":
            return 200, self.store(
                {
                    "id": self.new_id("cus"),
                    "object": "customer",
                    "email": data.get("email"),
                    "name": data.get("name"),
                    "metadata": data.get("metadata", {}),
                    "balance": 0,
                    "currency": None,
                    "delinquent": False,
                    "invoice_settings": {"default_payment_method": None},
                }
            )
        if path.startswith("/v1/customers/") and path.count("/") == 3:
            customer_id = path.rsplit("/", 1)[1]
            if method == "POST":
                return self._customer_update(customer_id, data)
            if method == "DELETE":
                return self._customer_delete(customer_id)
        if method == "POST" and path == "/v1/checkout/sessions":
            return self._checkout_session_create(data)
        if method == "POST" and path == "/v1/billing_portal/sessions":
            session_id = self.new_id("bps")
            return 200, {
                "id": session_id,
                "object": "billing_portal.session",
                "customer": data["customer"],
                "return_url": data.get("return_url"),
                "url": f"https://billing.stripe.test/p/session/{session_id}",
            }
        if method == "POST" and path == "/v1/refunds":
            return self._refund_create(data)
        if method == "DELETE" and path.startswith("/v1/subscriptions/"):
            subscription = self.objects.get(path.rsplit("/", 1)[1])
            if subscription is None:
                return _not_found("subscription", path.rsplit("/", 1)[1])
            subscription.update(status="canceled", canceled_at=int(time.time()))
            return 200, subscription
        if method == "POST" and path == "/v1/products":
            return 200, self.store(
                {
                    "id": self.new_id("prod"),
                    "object": "product",
                    "name": data["name"],
                    "active": True,
                    "type": "service",
                    "metadata": data.get("metadata", {}),
                }
            )
        if method == "POST" and path == "/v1/prices":
            return 200, self.store(self._price(data))
        if method == "GET":
            segment, _, object_id = path.removeprefix("/v1/").rpartition("/")
            if segment in RESOURCES:
                obj = self.objects.get(object_id)
                if obj is None or obj.get("object") != RESOURCES[segment]:
                    return _not_found(RESOURCES[segment], object_id)
                return 200, obj
            if "/" in segment:  # a sub-list: /v1/products/<id>/features, .../line_items
                return 200, {"object": "list", "data": [], "has_more": False, "url": path}
        return 404, {
            "error": {
                "type": "invalid_request_error",
                "message": f"Unrecognized request URL ({method}: {path}).",
            }
        }

    def account(self) -> dict[str, Any]:
        return {
            "id": ACCOUNT_ID,
            "object": "account",
            "type": "standard",
            "country": "US",
            "default_currency": "usd",
            "email": "billing@lumen.test",
            "charges_enabled": True,
            "payouts_enabled": True,
            "details_submitted": True,
            "settings": {"dashboard": {"display_name": "Lumen (fake Stripe)"}},
            "business_profile": {"name": "Lumen"},
            "metadata": {},
            "livemode": False,
            "created": 1_700_000_000,
        }

    def _price(self, data: dict[str, Any]) -> dict[str, Any]:
        recurring = data.get("recurring")
        return {
            "id": data.get("id") or self.new_id("price"),
            "object": "price",
            "active": True,
            "product": data["product"],
            "currency": data.get("currency", "usd"),
            "unit_amount": int(data.get("unit_amount") or 0),
            "lookup_key": data.get("lookup_key"),
            "billing_scheme": "per_unit",
            "type": "recurring" if recurring else "one_time",
            "recurring": (
                {
                    "interval": recurring["interval"],
                    "interval_count": 1,
                    "usage_type": "licensed",
                    "aggregate_usage": None,
                }
                if recurring
                else None
            ),
            "metadata": data.get("metadata", {}),
        }

    def price_ensure(self, price_id: str, *, amount: int, interval: str | None) -> dict[str, Any]:
        """A price (and its product) that Stripe knows, as `billing_sync_stripe` leaves them."""
        if price_id not in self.objects:
            product = self.store(
                {"id": f"prod_{price_id}", "object": "product", "name": price_id, "active": True}
            )
            data: dict[str, Any] = {"id": price_id, "product": product["id"], "unit_amount": amount}
            if interval:
                data["recurring"] = {"interval": interval}
            self.store(self._price(data))
        return self.objects[price_id]

    def _checkout_session_create(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if data.get("customer") not in self.objects:
            return _not_found("customer", str(data.get("customer")))
        session_id = self.new_id("cs_test")
        line_items = data.get("line_items") or []
        return 200, self.store(
            {
                "id": session_id,
                "object": "checkout.session",
                "mode": data["mode"],
                "status": "open",
                "payment_status": "unpaid",
                "customer": data["customer"],
                "client_reference_id": data.get("client_reference_id"),
                "metadata": data.get("metadata", {}),
                "success_url": data.get("success_url"),
                "cancel_url": data.get("cancel_url"),
                "currency": "usd",
                "amount_total": None,
                "payment_intent": None,
                "subscription": None,
                "invoice": None,
                "livemode": False,
                "url": f"{self.url}/c/pay/{session_id}",
                # Kept for pay_checkout(); Stripe has them behind /line_items.
                "_line_items": line_items,
                "_subscription_data": data.get("subscription_data") or {},
                "_payment_intent_data": data.get("payment_intent_data") or {},
            }
        )

    def _customer_update(
        self, customer_id: str, data: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """Stripe's update: an empty value unsets the field; metadata is merged, key by key."""
        customer = self.objects.get(customer_id)
        if customer is None or customer.get("object") != "customer" or customer.get("deleted"):
            return _not_found("customer", customer_id)
        unknown = sorted(set(data) - CUSTOMER_UPDATE_PARAMS)
        if unknown:
            return 400, {
                "error": {
                    "type": "invalid_request_error",
                    "code": "parameter_unknown",
                    "param": unknown[0],
                    "message": f"Received unknown parameter: {unknown[0]}",
                }
            }
        for key, value in data.items():
            if key == "metadata":
                metadata = {} if value == "" else {**customer.get("metadata", {}), **value}
                customer["metadata"] = {k: v for k, v in metadata.items() if v != ""}
            else:
                customer[key] = None if value == "" else value
        return 200, customer

    def _customer_delete(self, customer_id: str) -> tuple[int, dict[str, Any]]:
        """Stripe keeps a stub of a deleted customer: retrieving it answers `deleted: true`."""
        customer = self.objects.get(customer_id)
        if customer is None or customer.get("object") != "customer" or customer.get("deleted"):
            return _not_found("customer", customer_id)
        stub = {"id": customer_id, "object": "customer", "deleted": True}
        self.objects[customer_id] = stub
        return 200, stub

    def _refund_create(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        intent = self.objects.get(data.get("payment_intent", ""))
        refund = {
            "id": self.new_id("re"),
            "object": "refund",
            "payment_intent": data.get("payment_intent"),
            "charge": intent.get("latest_charge") if intent else None,
            "amount": intent["amount"] if intent else 0,
            "currency": "usd",
            "status": "succeeded",
        }
        charge = self.objects.get(refund["charge"] or "")
        if charge is not None:
            charge.update(refunded=True, amount_refunded=charge["amount"])
        return 200, self.store(refund)

    # --- the customer paying on the Checkout page ------------------------------------------------

    def pay_checkout(self, session_id: str, *, delayed: bool = False) -> list[dict[str, Any]]:
        """Complete a Checkout session as Stripe does; returns the events Stripe would send.

        `delayed` is a payment method that settles later (a bank debit): the session completes
        unpaid and `checkout.session.async_payment_succeeded` follows (see `settle_checkout`).
        """
        with self._lock:
            session = self.objects[session_id]
            price = self.objects[session["_line_items"][0]["price"]]
            amount = price["unit_amount"]
            session.update(status="complete", amount_total=amount)
            events = []
            if session["mode"] == "subscription":
                subscription, invoice = self._subscription_start(session, price)
                session.update(
                    payment_status="paid", subscription=subscription["id"], invoice=invoice["id"]
                )
                events.append(self.event("checkout.session.completed", session))
                events.append(self.event("customer.subscription.created", subscription))
                events.append(self.event("invoice.paid", invoice))
            else:
                intent, _ = self._payment(
                    session["customer"], amount, session["_payment_intent_data"].get("metadata")
                )
                session.update(
                    payment_intent=intent["id"], payment_status="unpaid" if delayed else "paid"
                )
                if delayed:
                    intent["status"] = "processing"
                events.append(self.event("checkout.session.completed", session))
            return events

    def settle_checkout(self, session_id: str, *, succeeded: bool = True) -> list[dict[str, Any]]:
        """The delayed payment of a completed session settles (or fails)."""
        with self._lock:
            session = self.objects[session_id]
            session["payment_status"] = "paid" if succeeded else "unpaid"
            intent = self.objects[session["payment_intent"]]
            intent["status"] = "succeeded" if succeeded else "requires_payment_method"
            kind = "succeeded" if succeeded else "failed"
            return [self.event(f"checkout.session.async_payment_{kind}", session)]

    def _payment(
        self,
        customer: str,
        amount: int,
        metadata: dict[str, Any] | None,
        invoice: str | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        intent = self.store(
            {
                "id": self.new_id("pi"),
                "object": "payment_intent",
                "amount": amount,
                "amount_received": amount,
                "currency": "usd",
                "customer": customer,
                "status": "succeeded",
                "capture_method": "automatic",
                "confirmation_method": "automatic",
                "payment_method_types": ["card"],
                "metadata": metadata or {},
            }
        )
        charge = self.store(
            {
                "id": self.new_id("ch"),
                "object": "charge",
                "amount": amount,
                "amount_captured": amount,
                "amount_refunded": 0,
                "currency": "usd",
                "customer": customer,
                "payment_intent": intent["id"],
                "invoice": invoice,
                "paid": True,
                "captured": True,
                "refunded": False,
                "disputed": False,
                "status": "succeeded",
                "balance_transaction": None,
                "payment_method": None,
                "source": None,
                "metadata": metadata or {},
            }
        )
        intent["latest_charge"] = charge["id"]
        return intent, charge

    def _subscription_start(
        self, session: dict[str, Any], price: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        now = int(time.time())
        period_end = now + (365 if price["recurring"]["interval"] == "year" else 30) * 86400
        subscription_id = self.new_id("sub")
        subscription = self.store(
            {
                "id": subscription_id,
                "object": "subscription",
                "customer": session["customer"],
                "status": "active",
                "metadata": session["_subscription_data"].get("metadata", {}),
                "cancel_at_period_end": False,
                "canceled_at": None,
                "start_date": now,
                "current_period_start": now,
                "current_period_end": period_end,
                "collection_method": "charge_automatically",
                "default_payment_method": None,
                "latest_invoice": None,
                "items": {
                    "object": "list",
                    "data": [
                        {
                            "id": self.new_id("si"),
                            "object": "subscription_item",
                            "price": price,
                            "quantity": 1,
                            "subscription": subscription_id,
                            "current_period_start": now,
                            "current_period_end": period_end,
                            "metadata": {},
                            "created": now,
                        }
                    ],
                    "has_more": False,
                },
            }
        )
        invoice_id = self.new_id("in")
        intent, charge = self._payment(
            session["customer"], price["unit_amount"], None, invoice=invoice_id
        )
        invoice = self.store(
            {
                "id": invoice_id,
                "object": "invoice",
                "customer": session["customer"],
                "subscription": subscription_id,
                "status": "paid",
                "paid": True,
                "amount_due": price["unit_amount"],
                "amount_paid": price["unit_amount"],
                "amount_remaining": 0,
                "currency": "usd",
                "payment_intent": intent["id"],
                "charge": charge["id"],
                "billing_reason": "subscription_create",
                "collection_method": "charge_automatically",
                "hosted_invoice_url": f"{self.url}/i/{invoice_id}",
                "default_payment_method": None,
                "period_start": now,
                "period_end": now,
                "lines": {"object": "list", "data": [], "has_more": False},
            }
        )
        subscription["latest_invoice"] = invoice_id
        return subscription, invoice

    # --- events -----------------------------------------------------------------------------------

    def event(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        """An event about `obj` as Stripe renders it (a snapshot), kept for retrieval."""
        snapshot = {k: v for k, v in obj.items() if not k.startswith("_")}
        return self.store(event(event_type, json.loads(json.dumps(snapshot)), event_id=None))

    def send(self, events: list[dict[str, Any]]) -> list[int]:
        """POST events to `webhook_url`, signed with `webhook_secret`, as Stripe delivers them."""
        statuses = []
        for item in events:
            body = json.dumps(item).encode()
            request = urllib.request.Request(  # noqa: S310 (the test's own live server)
                self.webhook_url,
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "Stripe-Signature": sign(body, self.webhook_secret),
                },
            )
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (as above)
                statuses.append(response.status)
        return statuses

    def checkout_page(self, session_id: str) -> str:
        session = self.objects.get(session_id)
        if session is None:
            return "<!doctype html><title>Not found</title><h1>No such session</h1>"
        price = self.objects.get(session["_line_items"][0]["price"], {})
        amount = f"{price.get('unit_amount', 0) / 100:.2f} USD"
        return (
            '<!doctype html><html lang="en"><head><title>Checkout (fake Stripe)</title></head>'
            f"<body><main><h1>Pay Lumen</h1><p>{html.escape(amount)}</p>"
            f'<form method="post" action="/c/pay/{html.escape(session_id)}">'
            '<button type="submit">Pay</button></form></main></body></html>'
        )


def _handler_for(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, data: bytes, content_type: str, **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _hosted_page(self, method: str) -> bool:
            """Stripe's hosted Checkout page, which a browser reaches without an API key."""
            if not self.path.startswith("/c/pay/"):
                return False
            session_id = self.path.removeprefix("/c/pay/").partition("?")[0]
            if method == "GET":
                self._send(200, fake.checkout_page(session_id).encode(), "text/html")
                return True
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            events = fake.pay_checkout(session_id)
            fake.send(events)
            success = fake.objects[session_id]["success_url"].replace(
                "{CHECKOUT_SESSION_ID}", session_id
            )
            self._send(303, b"", "text/plain", Location=success)
            return True

        def _serve(self, method: str) -> None:
            if self._hosted_page(method):
                return
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
            public = {k: v for k, v in payload.items() if not k.startswith("_")}
            self._send(
                status,
                json.dumps(public).encode(),
                "application/json",
                **{"Request-Id": f"req_{len(fake.requests)}"},
            )

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


_event_ids = itertools.count(1)


def event(event_type: str, obj: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """A Stripe event envelope around `obj`."""
    return {
        "id": event_id or f"evt_fake{next(_event_ids):06d}",
        "object": "event",
        "api_version": API_VERSION,
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
        "data": {"object": obj},
    }
