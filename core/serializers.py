"""Serializer bases for request bodies that hold the JSON types the OpenAPI schema promises.

DRF's fields coerce: a CharField turns the number ``0`` into ``"0"``, an IntegerField reads the
string ``"5"`` as 5 and a BooleanField reads ``"yes"`` or ``0`` as a boolean. The schema (and any
client generated from it) says those bodies are invalid, so Lumen refuses them with a 400 naming
the field instead of guessing. Every project serializer derives from ``Serializer`` or
``ModelSerializer`` here (a test walks them all), so a new endpoint cannot be lenient by accident.

Only JSON bodies are checked: an HTML form or a multipart upload sends every value as text, and
query parameters have their own strict rules (``core.query``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from rest_framework import relations, serializers
from rest_framework.settings import api_settings

# Set in a serializer's context when its data are not a JSON body (core.query sets it).
NOT_JSON_CONTEXT_KEY = "lumen_not_json"

_TEXT = "Give text (a JSON string)."
_BOOLEAN = "Give true or false (a JSON boolean)."
_WHOLE = "Give a whole number (a JSON number)."
_NUMBER = "Give a number (a JSON number)."
_LIST = "Give a list (a JSON array)."
_OBJECT = "Give an object (a JSON object)."
_BLANK = "This field may not be blank."


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def json_type_error(field: serializers.Field, value: Any) -> str | None:
    """Why `value`, as parsed from JSON, is not the type `field`'s schema promises; None if it is.
    A null is left to the field (allow_null decides)."""
    if value is None:
        return None
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else _BOOLEAN
    if isinstance(field, serializers.IntegerField):
        return None if isinstance(value, int) and not isinstance(value, bool) else _WHOLE
    if isinstance(field, serializers.FloatField):
        return None if _is_number(value) else _NUMBER
    if isinstance(field, serializers.DecimalField):
        # The schema shows a decimal as a string when DRF renders it as one, else as a number.
        accepted = isinstance(value, str) or _is_number(value)
        as_text = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        return None if accepted else _TEXT if as_text else _NUMBER
    if isinstance(field, serializers.MultipleChoiceField | serializers.ListField):
        if not isinstance(value, list):
            return _LIST
        if isinstance(field, serializers.MultipleChoiceField):
            return next((error for item in value if (error := _choice_error(field, item))), None)
        return next(
            (error for item in value if (error := json_type_error(field.child, item))), None
        )
    if isinstance(field, serializers.ChoiceField):
        return _choice_error(field, value)
    if isinstance(field, serializers.DictField):
        return None if isinstance(value, Mapping) else _OBJECT
    if isinstance(field, relations.ManyRelatedField):
        if not isinstance(value, list):
            return _LIST
        return next(
            (error for item in value if (error := json_type_error(field.child_relation, item))),
            None,
        )
    if isinstance(field, relations.PrimaryKeyRelatedField) and field.pk_field is None:
        return None if isinstance(value, int) and not isinstance(value, bool) else _WHOLE
    if isinstance(field, relations.SlugRelatedField):
        # DRF reads "" as null for a relation; the schema's slug is never empty.
        return _BLANK if value == "" else None if isinstance(value, str) else _TEXT
    text_fields = (
        serializers.CharField,
        serializers.DateTimeField,
        serializers.DateField,
        serializers.TimeField,
        serializers.DurationField,
        serializers.UUIDField,
        serializers.IPAddressField,
    )
    if isinstance(field, text_fields):
        return None if isinstance(value, str) else _TEXT
    return None


def _json_kind(value: Any) -> type | None:
    if isinstance(value, bool):
        return bool
    if isinstance(value, str):
        return str
    if isinstance(value, int):
        return int
    return None


def _choice_error(field: serializers.ChoiceField, value: Any) -> str | None:
    """A choice must have the JSON type of the choices: an enum of strings takes no number, an
    enum of numbers no string (DRF compares their text)."""
    kinds = {_json_kind(choice) for choice in field.choices}
    if kinds == {str}:
        return None if isinstance(value, str) else _TEXT
    if kinds == {int}:
        return None if _json_kind(value) is int else _WHOLE
    return None


class StrictTypesMixin:
    """Refuses a JSON body whose values are not the types the fields' schema promises (400, one
    message per field), before DRF's fields coerce them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, QueryDict) and (blank := self._form_blank_errors(data)):
            raise serializers.ValidationError(blank)
        if self._json_body(data):
            errors = {
                field.field_name: [message]
                for field in self._writable_fields  # type: ignore[attr-defined]  (a Serializer's)
                if field.field_name in data
                and (message := json_type_error(field, data[field.field_name]))
            }
            if errors:
                # The other fields' errors too, so the caller sees every mistake at once.
                rest = {name: value for name, value in data.items() if name not in errors}
                try:
                    super().to_internal_value(rest)  # type: ignore[misc]  (a Serializer's)
                except serializers.ValidationError as error:
                    if isinstance(error.detail, dict):
                        for name, messages in error.detail.items():
                            errors.setdefault(name, messages)
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]  (a Serializer's)

    def _form_blank_errors(self, data: QueryDict) -> dict[str, list[str]]:
        """DRF reads an empty form value as "left out" when the field is optional; a multipart
        body that sends `time_zone=` means an empty time zone, which the schema refuses."""
        return {
            field.field_name: [_BLANK]
            for field in self._writable_fields  # type: ignore[attr-defined]  (a Serializer's)
            if isinstance(field, serializers.CharField | serializers.ChoiceField)
            and not field.allow_blank
            and not field.allow_null
            and data.get(field.field_name, None) == ""
        }

    def _json_body(self, data: Any) -> bool:
        if not isinstance(data, Mapping) or isinstance(data, QueryDict):
            return False
        return not self.root.context.get(NOT_JSON_CONTEXT_KEY)  # type: ignore[attr-defined]


class Serializer(StrictTypesMixin, serializers.Serializer):
    """The project's plain serializer: JSON bodies hold the schema's types."""


class ModelSerializer(StrictTypesMixin, serializers.ModelSerializer):
    """The project's model serializer: JSON bodies hold the schema's types."""
