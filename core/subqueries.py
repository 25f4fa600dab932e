"""Per-row totals as scalar subqueries: an aggregate of related rows annotated onto each row of
an outer query, with 0 where there are none (rather than a query per row, or a JOIN and GROUP BY
that would multiply the outer query's other joins)."""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


def total_subquery(
    queryset: QuerySet[Any], *, per: str, aggregate: Aggregate | None = None
) -> Coalesce:
    """`aggregate` (Count("pk") by default) of `queryset`, which filters on an OuterRef, grouped
    by `per` (the field that OuterRef matches), as an integer; 0 when no row matches."""
    totals = (
        queryset.order_by()
        .values(per)
        .annotate(total=aggregate if aggregate is not None else Count("pk"))
        .values("total")[:1]
    )
    return Coalesce(Subquery(totals, output_field=IntegerField()), Value(0))
