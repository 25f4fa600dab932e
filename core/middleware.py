"""Request ids: one per request, on every log line and in the `X-Request-ID` response header."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from core.request_id import current_request_var, request_id_var

# A caller (a load balancer, say) may pass its own id; anything odd is replaced, not trusted.
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]  # set for views and templates
        token = request_id_var.set(request_id)
        request_token = current_request_var.set(request)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
            current_request_var.reset(request_token)
        response["X-Request-ID"] = request_id
        return response
