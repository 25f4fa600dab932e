"""Strict query parameters: what the schema does not allow is a 400 naming the parameter."""

from __future__ import annotations

from typing import Any

import django_filters
import pytest
from django.contrib.auth import get_user_model
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.query import (
    QueryBooleanField,
    QueryIntegerField,
    QueryParams,
    QueryTextField,
    StrictFilterSet,
    query_params_parse,
)
from core.roles import Role

factory = APIRequestFactory()


class ListParams(QueryParams):
    unread = QueryBooleanField(required=False)
    course = QueryIntegerField(required=False, min_value=1)
    sort = serializers.ChoiceField(choices=["newest", "votes"], required=False)
    search = QueryTextField(max_length=10)
    tag = serializers.ListField(child=serializers.CharField(), required=False)


class ParamsApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response(query_params_parse(ListParams, request))


def _get(query: str) -> Response:
    return ParamsApi.as_view()(factory.get(f"/params?{query}"))


def _field_errors(response: Response) -> dict[str, list[str]]:
    assert response.status_code == 400
    assert response.data["error"]["code"] == "validation_error"
    return response.data["error"]["fields"]


def test_valid_parameters_are_parsed_to_their_types():
    response = _get("unread=true&course=12&sort=votes&search=&tag=a&tag=b&page=3")

    assert response.status_code == 200
    assert response.data == {
        "unread": True,
        "course": 12,
        "sort": "votes",
        "search": "",
        "tag": ["a", "b"],
    }


def test_absent_parameters_are_left_out():
    assert _get("").data == {}
    assert _get("unread=false").data == {"unread": False}


@pytest.mark.parametrize("value", ["1", "yes", "True", "on", "", "maybe"])
def test_a_boolean_is_true_or_false_only(value):
    assert _field_errors(_get(f"unread={value}")) == {"unread": ["Choose true or false."]}


@pytest.mark.parametrize("value", ["", "1.0", " 1", "1_000", "\u0661", "abc"])
def test_a_whole_number_is_ascii_digits_only(value):
    assert _field_errors(_get(f"course={value}")) == {"course": ["A valid integer is required."]}


def test_a_number_below_its_minimum_is_refused():
    assert _field_errors(_get("course=0")) == {
        "course": ["Ensure this value is greater than or equal to 1."]
    }


def test_an_empty_choice_is_refused_not_read_as_no_filter():
    assert _field_errors(_get("sort=")) == {"sort": ['"" is not a valid choice.']}


def test_free_text_may_be_empty_or_hold_nul_characters_but_not_exceed_its_length():
    assert _get("search=a%00b").data == {"search": "a\x00b"}  # the selector drops NULs
    assert _field_errors(_get("search=" + "x" * 11)) == {
        "search": ["Ensure this field has no more than 10 characters."]
    }


def test_a_scalar_parameter_given_twice_is_refused():
    response = _get("course=1&course=2")

    assert _field_errors(response) == {"course": ["Give course once."]}
    assert response.data["error"]["message"] == "course: Give course once."


class UserFilter(StrictFilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    is_active = django_filters.BooleanFilter()
    id = django_filters.NumberFilter()
    email = django_filters.CharFilter()

    class Meta:
        model = get_user_model()
        fields = ["role", "is_active", "id", "email"]


class UserListApi(ListAPIView):
    permission_classes = [AllowAny]
    filter_backends = [DjangoFilterBackend]
    filterset_class = UserFilter

    def get_queryset(self) -> Any:
        return get_user_model().objects.order_by("pk")

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        return Response([user.email for user in self.filter_queryset(self.get_queryset())])


def _users(query: str) -> Response:
    return UserListApi.as_view()(factory.get(f"/users?{query}"))


@pytest.fixture
def users(make_user):
    make_user("ann@example.com", Role.STUDENT)
    inactive = make_user("bob@example.com", Role.INSTRUCTOR)
    inactive.is_active = False
    inactive.save()


@pytest.mark.django_db
def test_a_strict_filterset_filters_on_valid_values(users):
    assert _users("is_active=false").data == ["bob@example.com"]
    assert _users("role=student&is_active=true").data == ["ann@example.com"]
    assert _users("email=").data == ["ann@example.com", "bob@example.com"]  # free text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("is_active=maybe", {"is_active": ["Choose true or false."]}),
        ("is_active=1", {"is_active": ["Choose true or false."]}),
        ("is_active=", {"is_active": ["Choose true or false."]}),
        ("role=", {"role": ["Choose one of: student, instructor, admin."]}),
        ("id=1.5", {"id": ["A whole number."]}),
        ("role=student&role=admin", {"role": ["Give role once."]}),
    ],
)
def test_a_strict_filterset_refuses_what_plain_django_filter_ignores(users, query, errors):
    assert _field_errors(_users(query)) == errors


def test_a_whole_number_past_what_the_database_stores_is_a_400_not_an_overflow():
    assert _get(f"course={2**63 - 1}").data["course"] == 2**63 - 1

    assert _field_errors(_get(f"course={2**63}")) == {
        "course": [f"Ensure this value is less than or equal to {2**63 - 1}."]
    }


@pytest.mark.django_db
def test_the_question_list_refuses_a_course_id_too_large_for_the_database(client):
    response = client.get("/api/v1/questions?course=32436043479492468278229467136")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["course"]
