"""`learning_mode` for every template: the signed-in learner's default mode, looked up only when
a template reads it (other apps' pages use it to hide streak pressure in relax mode, without
importing this app)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from learning import selectors


def learning_mode(request: HttpRequest) -> dict[str, Any]:
    def mode() -> str:
        return selectors.default_mode_for_request(request)

    return {"learning_mode": SimpleLazyObject(mode)}
