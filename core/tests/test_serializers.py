"""JSON request bodies hold the types the schema promises (core.serializers)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.http import QueryDict
from rest_framework import serializers

from core.query import QueryParams
from core.serializers import Serializer, StrictTypesMixin


class _Choice(Serializer):
    level = serializers.ChoiceField(choices=[("a", "A"), ("b", "B")])
    stars = serializers.ChoiceField(choices=[(1, "One"), (2, "Two")], required=False)


class _Body(Serializer):
    title = serializers.CharField()
    count = serializers.IntegerField(required=False)
    ratio = serializers.FloatField(required=False)
    flag = serializers.BooleanField(required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    when = serializers.DateTimeField(required=False)
    note = serializers.CharField(required=False, allow_null=True)
    choice = _Choice(required=False)


def _errors(data: Any) -> dict[str, Any]:
    body = _Body(data=data)
    assert not body.is_valid()
    return dict(body.errors)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", 0, "Give text (a JSON string)."),
        ("title", True, "Give text (a JSON string)."),
        ("count", "5", "Give a whole number (a JSON number)."),
        ("count", True, "Give a whole number (a JSON number)."),
        ("count", 5.0, "Give a whole number (a JSON number)."),
        ("ratio", "0.5", "Give a number (a JSON number)."),
        ("flag", 0, "Give true or false (a JSON boolean)."),
        ("flag", "true", "Give true or false (a JSON boolean)."),
        ("tags", "python", "Give a list (a JSON array)."),
        ("tags", ["python", 0], "Give text (a JSON string)."),
        ("when", 1_700_000_000, "Give text (a JSON string)."),
    ],
)
def test_a_value_of_the_wrong_json_type_is_refused_on_its_field(field, value, message):
    errors = _errors({"title": "A title", field: value})

    assert errors == {field: [message]}


def test_a_wrong_type_is_reported_with_the_other_fields_mistakes():
    errors = _errors({"count": "5"})

    assert errors == {
        "count": ["Give a whole number (a JSON number)."],
        "title": ["This field is required."],
    }


def test_choices_keep_the_type_of_their_values_in_nested_objects():
    text_for_number = _errors({"title": "T", "choice": {"level": "a", "stars": "1"}})
    number_for_text = _errors({"title": "T", "choice": {"level": 1}})

    assert text_for_number == {"choice": {"stars": ["Give a whole number (a JSON number)."]}}
    assert number_for_text == {"choice": {"level": ["Give text (a JSON string)."]}}


def test_values_of_the_right_types_and_nulls_are_taken():
    body = _Body(
        data={
            "title": "T",
            "count": 3,
            "ratio": 1,
            "flag": False,
            "tags": ["a"],
            "when": "2026-12-02T10:00:00Z",
            "note": None,
            "choice": {"level": "b", "stars": 2},
        }
    )

    assert body.is_valid(), body.errors
    assert body.validated_data["count"] == 3
    assert body.validated_data["choice"] == {"level": "b", "stars": 2}


def test_form_and_multipart_bodies_are_text_and_keep_drfs_reading():
    form = QueryDict(mutable=True)
    form.update({"title": "T", "count": "5", "flag": "true"})

    body = _Body(data=form)

    assert body.is_valid(), body.errors
    assert (body.validated_data["count"], body.validated_data["flag"]) == (5, True)


def _project_modules() -> list[str]:
    names: list[str] = []
    packages = dict.fromkeys([*(app.split(".")[0] for app in settings.INSTALLED_APPS), "lms"])
    for package_name in packages:
        package = importlib.import_module(package_name)
        if Path(package.__path__[0]).parent != settings.BASE_DIR:
            continue  # not Lumen's own code
        for module in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            parts = module.name.split(".")
            if "tests" in parts or "migrations" in parts:
                continue
            names.append(module.name)
    return names


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def test_every_project_serializer_checks_json_types():
    """A new serializer on serializers.Serializer would take `0` for text: derive it from
    core.serializers instead (query parameters derive from core.query.QueryParams)."""
    modules = _project_modules()
    for name in modules:
        importlib.import_module(name)
    project = set(modules)

    lenient = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in _subclasses(serializers.Serializer)
        if cls.__module__ in project and not issubclass(cls, StrictTypesMixin | QueryParams)
    )

    assert len(modules) > 50  # the walk found the apps' modules
    assert lenient == []


class _Priced(Serializer):
    price = serializers.DecimalField(max_digits=6, decimal_places=2, required=False)
    kind = serializers.SlugRelatedField(
        slug_field="codename", queryset=Permission.objects.all(), required=False, allow_null=True
    )
    zone = serializers.CharField(required=False)


def test_a_decimal_is_a_number_or_its_text_and_nothing_else():
    assert _Priced(data={"price": "9.99"}).is_valid()
    assert _Priced(data={"price": 9.99}).is_valid()
    given = _Priced(data={"price": {}})

    assert not given.is_valid()
    assert given.errors == {"price": ["Give text (a JSON string)."]}


@pytest.mark.django_db
def test_an_empty_slug_is_refused_rather_than_read_as_null():
    given = _Priced(data={"kind": ""})

    assert not given.is_valid()
    assert given.errors == {"kind": ["This field may not be blank."]}
    assert _Priced(data={"kind": None}).is_valid()


def test_an_empty_form_value_is_a_blank_not_a_value_left_out():
    form = QueryDict("zone=", mutable=True)
    given = _Priced(data=form, partial=True)

    assert not given.is_valid()
    assert given.errors == {"zone": ["This field may not be blank."]}
