"""Request-body fields stricter than DRF's defaults, where the schema promises a type."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A string, and only a string: DRF's CharField turns a JSON number into text (`0` becomes
    "0"), which the OpenAPI schema says is invalid; this one refuses it (400)."""

    default_error_messages = {"not_a_string": "Give text (a JSON string)."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)
