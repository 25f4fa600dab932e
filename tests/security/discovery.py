"""Find every route from the URL configuration itself, so nothing can hide from a test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
API_PREFIX = "api/v1/"
ADMIN_PREFIX = "admin/"


@dataclass(frozen=True)
class Operation:
    name: str  # the URL name with its namespaces, e.g. "api:course-detail"
    method: str  # upper case
    route: str  # e.g. "api/v1/courses/<int:course_id>"
    params: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.method)


@dataclass(frozen=True)
class Route:
    name: str  # "courses:detail"; an unnamed route is keyed by its pattern
    route: str
    params: tuple[str, ...]


def _walk(
    resolvers: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace, entry


def _params(route: str) -> tuple[str, ...]:
    """Path converters (`<int:course_id>`) and regex groups (`(?P<key>...)`) alike."""
    return tuple(
        re.findall(r"(?<!\?P)<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)
    )


def _view_methods(callback: Any) -> list[str]:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return ["GET"]
    return [m.upper() for m in HTTP_METHODS if hasattr(view_class, m)]


def api_operations(prefix: str = API_PREFIX) -> list[Operation]:
    """Every (URL name, HTTP method) served under `prefix`, in URL configuration order."""
    found: list[Operation] = []
    for route, namespace, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith(prefix):
            continue
        if not pattern.name:
            raise AssertionError(f"The API route {route!r} has no name; name every route.")
        name = f"{namespace}{pattern.name}"
        params = _params(route)
        found.extend(Operation(name, m, route, params) for m in _view_methods(pattern.callback))
    return found


def html_routes() -> list[Route]:
    """Every route outside the versioned API and the Django admin (checked on its own)."""
    found: list[Route] = []
    for route, namespace, pattern in _walk(get_resolver().url_patterns):
        if route.startswith((API_PREFIX, ADMIN_PREFIX)):
            continue
        name = f"{namespace}{pattern.name}" if pattern.name else route
        found.append(Route(name, route, _params(route)))
    return found


def admin_routes() -> list[Route]:
    """Every route of the Django admin site."""
    return [
        Route(f"{namespace}{pattern.name}", route, _params(route))
        for route, namespace, pattern in _walk(get_resolver().url_patterns)
        if route.startswith(ADMIN_PREFIX)
    ]
