from __future__ import annotations

import pytest
from rest_framework import serializers

from core.fields import StrictCharField


class _Input(serializers.Serializer):
    endpoint = StrictCharField(max_length=10)


@pytest.mark.parametrize("value", [0, 1.5, True, ["a"], {"a": 1}])
def test_a_number_list_or_object_is_refused_where_text_is_expected(value: object) -> None:
    given = _Input(data={"endpoint": value})

    assert not given.is_valid()
    assert given.errors["endpoint"] == ["Give text (a JSON string)."]


def test_text_is_taken_with_the_usual_checks() -> None:
    assert _Input(data={"endpoint": " abc "}).is_valid()
    too_long = _Input(data={"endpoint": "x" * 11})
    assert not too_long.is_valid()
    assert "endpoint" in too_long.errors
