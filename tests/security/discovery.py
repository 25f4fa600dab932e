"""Find every API operation from the URL configuration itself, so nothing can hide from a test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    name: str  # the URL name with its namespaces, e.g. "api:course-detail"
    method: str  # upper case
    route: str  # e.g. "api/v1/courses/<int:course_id>"
    params: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.method)


def _walk(
    resolvers: list, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace, entry


def _view_methods(callback) -> list[str]:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return ["GET"]
    return [m.upper() for m in HTTP_METHODS if hasattr(view_class, m)]


def api_operations(prefix: str = "api/v1/") -> list[Operation]:
    """Every (URL name, HTTP method) served under `prefix`, in URL configuration order."""
    found: list[Operation] = []
    for route, namespace, pattern in _walk(get_resolver().url_patterns):
        if not route.startswith(prefix):
            continue
        if not pattern.name:
            raise AssertionError(f"The API route {route!r} has no name; name every route.")
        params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route))
        name = f"{namespace}{pattern.name}"
        found.extend(Operation(name, m, route, params) for m in _view_methods(pattern.callback))
    return found
