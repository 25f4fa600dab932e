"""Formatting for the analytics dashboards."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def cents(value: int | None) -> str:
    """12345 -> "123.45"; None (a figure that does not apply) -> "n/a"."""
    if value is None:
        return "n/a"
    sign = "-" if value < 0 else ""
    whole, rest = divmod(abs(int(value)), 100)
    return f"{sign}{whole:,}.{rest:02d}"
