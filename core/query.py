"""Strict query parameters: a value the schema does not allow is refused (400), never guessed at.

Two ways, one set of rules:

- a view declares its parameters as a ``QueryParams`` serializer, reads them with
  ``query_params_parse`` and documents them with ``extend_schema(parameters=[ThatSerializer])``,
  so the schema shows exactly what is validated;
- a django-filter list subclasses ``StrictFilterSet``.

The rules: a parameter given twice is refused (unless it is a list), a boolean is ``true`` or
``false``, a whole number is written in ASCII digits, and an enum or number parameter that is
present but empty (``?status=``) is refused rather than read as "no filter". Unknown parameters
are left alone: pagination, search and ordering read their own.
"""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django.core.validators import ProhibitNullCharactersValidator
from django.http import QueryDict
from django_filters import rest_framework as django_filters_rest
from rest_framework import serializers
from rest_framework.request import Request

from core.serializers import NOT_JSON_CONTEXT_KEY

_WHOLE_NUMBER = re.compile(r"-?[0-9]+")
TRUE, FALSE = "true", "false"


def _given_twice(name: str) -> str:
    return f"Give {name} once."


class QueryBooleanField(serializers.BooleanField):
    """`true` or `false`, as the schema's boolean is written in a URL; nothing else."""

    default_error_messages = {"invalid": "Choose true or false."}

    def to_internal_value(self, data: Any) -> bool:
        if data not in (TRUE, FALSE):
            self.fail("invalid")
        return data == TRUE


# The largest whole number the databases store (a signed 64-bit integer, SQLite's INTEGER and
# PostgreSQL's bigint): a larger one is refused with a 400, not sent to the database to overflow.
QUERY_INTEGER_MAX = 2**63 - 1


class QueryIntegerField(serializers.IntegerField):
    """A whole number in ASCII digits: not `1.0`, ` 1`, `1_000` or
    another script's digits, which int() accepts; at most QUERY_INTEGER_MAX."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_value", QUERY_INTEGER_MAX)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if not isinstance(data, str) or not _WHOLE_NUMBER.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class QueryTextField(serializers.CharField):
    """Free text (a search, a slug to match): empty is allowed, and so are NUL characters, which
    the caller's selector drops (the schema's string allows them; PostgreSQL refuses them)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]


class QueryParams(serializers.Serializer):
    """Base for a view's query parameters (declare them with the Query*Field classes above and
    DRF's ChoiceField)."""


def _plain(query: QueryDict, fields: dict[str, serializers.Field]) -> dict[str, Any]:
    """The declared parameters as a plain dict (no HTML-form rules: `?course=` is an empty
    string, not an absent value); a scalar given twice is an error."""
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, field in fields.items():
        if name not in query:
            continue
        values = query.getlist(name)
        if isinstance(field, serializers.ListField | serializers.MultipleChoiceField):
            data[name] = values
        elif len(values) > 1:
            errors[name] = [_given_twice(name)]
        else:
            data[name] = values[0]
    if errors:
        raise serializers.ValidationError(errors)
    return data


def query_params_parse(
    serializer_class: type[serializers.Serializer],
    request: Request,
    *,
    context: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The request's query parameters validated by `serializer_class`; invalid ones raise a
    ValidationError, which the API answers with a 400 naming each parameter."""
    fields = serializer_class().fields
    serializer = serializer_class(
        data=_plain(request.query_params, dict(fields)),
        # Query values are text: the JSON-body type rules of core.serializers do not apply.
        context={**(context or {"request": request}), NOT_JSON_CONTEXT_KEY: True},
    )
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class StrictFilterSet(django_filters.FilterSet):
    """A FilterSet that refuses what its schema does not allow instead of ignoring it: django-filter
    reads `?mine=maybe` as "no filter" and `?status=` as "any status"."""

    def is_valid(self) -> bool:
        form = self.form
        if not form.is_bound:
            return True
        if not getattr(form, "raw_values_checked", False):
            form.errors  # noqa: B018 (runs the form's own cleaning first)
            for name, message in self._raw_errors().items():
                form.add_error(name, message)
            form.raw_values_checked = True
        return form.is_valid()

    def _raw_errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        for name, filter_ in self.filters.items():
            if name not in self.data:
                continue
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data[name]]
            multiple = isinstance(
                filter_,
                django_filters.MultipleChoiceFilter
                | django_filters.BaseInFilter
                | django_filters.BaseRangeFilter,
            )
            if len(values) > 1 and not multiple:
                errors[name] = _given_twice(name)
            elif isinstance(filter_, django_filters.BooleanFilter):
                if values[0] not in (TRUE, FALSE):
                    errors[name] = "Choose true or false."
            elif isinstance(filter_, django_filters.NumberFilter):
                if not _WHOLE_NUMBER.fullmatch(values[0]):
                    errors[name] = "A whole number."
            elif isinstance(filter_, django_filters.ChoiceFilter) and values[0] == "":
                choices = ", ".join(str(value) for value, _label in filter_.extra["choices"])
                errors[name] = f"Choose one of: {choices}."
        return errors


class StrictFilterBackend(django_filters_rest.DjangoFilterBackend):
    """django-filter's DRF backend whose generated filter sets (a view's ``filterset_fields``) are
    strict too; the project's default filter backend."""

    class filterset_base(StrictFilterSet, django_filters_rest.FilterSet):  # noqa: N801 (django-filter's name)
        pass
