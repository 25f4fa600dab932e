"""The one exception type that services raise when a business rule is broken."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A rule was broken; the message is safe to show to the user.

    `status_code` is what the API answers (400 unless a subclass says otherwise), `code` a stable
    machine-readable name, `extra` structured details for clients.
    """

    status_code: int = 400
    default_code: str = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = extra or {}
        self.fields = fields or {}


class NotFoundError(ApplicationError):
    status_code = 404
    default_code = "not_found"


class PermissionDeniedError(ApplicationError):
    status_code = 403
    default_code = "permission_denied"


class ConflictError(ApplicationError):
    status_code = 409
    default_code = "conflict"
