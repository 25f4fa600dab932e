"""OpenAPI post-processing: document the shared error responses on every operation."""

from __future__ import annotations

from typing import Any

_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "extra": {"type": "object", "additionalProperties": True},
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}
_DESCRIPTIONS = {
    "400": "The input is not valid; `fields` says which inputs and why.",
    "401": "Authentication credentials were missing, expired or revoked.",
    "403": "The caller may not do this.",
    "404": "Not found.",
    "409": "The request conflicts with the current state (a business rule refused it).",
    "415": "The body's media type is not one this operation reads (JSON, form or multipart).",
    "429": "Too many requests; retry after the number of seconds in `Retry-After`.",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    """Add the error shape and the common 4xx answers to every operation of the schema."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR_SCHEMA
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            wanted = ["429"]
            parameters = operation.get("parameters", [])
            # Bodies and query parameters (filters, ordering, page) are validated.
            if method in {"post", "put", "patch"} or any(
                p.get("in") == "query" for p in parameters
            ):
                wanted.append("400")
            if "requestBody" in operation:
                wanted.append("415")  # DRF's parsers refuse a body they cannot read
            # An operation open to anonymous callers lists `{}` among its security requirements;
            # changing an object found by its path (an open view's PATCH/DELETE) still checks who.
            changes_object = method in {"put", "patch", "delete"} and "{" in path
            needs_auth = {} not in operation.get("security", [])
            if needs_auth or changes_object:
                wanted += ["401", "403"]
            # A signed-in caller's request names other objects (a lesson_id in the body, a
            # course filter) that may not exist for them, and a write may break a business rule
            # (ApplicationError: already done, wrong state).
            if needs_auth:
                wanted.append("404")
            if method in {"post", "put", "patch", "delete"}:
                wanted.append("409")
            # A path parameter names an object; a paginated list answers 404 past its last page.
            paginated = any(p.get("name") == "page" for p in parameters)
            if ("{" in path or paginated) and "404" not in wanted:
                wanted.append("404")
            responses = operation.setdefault("responses", {})
            for status_code in wanted:
                responses.setdefault(
                    status_code,
                    {
                        "description": _DESCRIPTIONS[status_code],
                        "content": {"application/json": {"schema": _ERROR_REF}},
                    },
                )
    return result
