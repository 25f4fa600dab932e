"""Page-number pagination: the API's (`count`, `next`, `previous`, `results`, a capped page size)
and `page_with_total` for HTML lists."""

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from rest_framework import pagination, serializers


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Any) -> int | None:
        """A page size that is not a whole number from 1 is refused (400), not ignored."""
        values = request.query_params.getlist(self.page_size_query_param)
        for value in values:
            if not value.isdigit() or int(value) < 1:
                message = f"A whole number from 1 to {self.max_page_size}."
                raise serializers.ValidationError({self.page_size_query_param: [message]})
        return super().get_page_size(request)


MAX_OFFSET = 2**62


def page_with_total(queryset: QuerySet[Any], *, per_page: int, number: Any) -> Page:
    """One page of `queryset` for an HTML list, counted by the page's own query.

    Django's Paginator counts first (a `COUNT(*)`), then fetches the page: two queries. Here
    the page's rows carry the total as a window (`COUNT(*) OVER ()`), so a page costs one.
    A page past the end has no row to carry it: only then does it count, and it shows the last
    page, as `Paginator.get_page` does (and the first for a page that is not a number). The
    queryset must not use `distinct()` (the window counts rows before DISTINCT).
    """
    try:
        wanted = max(int(number), 1)
    except (TypeError, ValueError):
        wanted = 1
    wanted = min(wanted, MAX_OFFSET // per_page)  # an OFFSET past 64 bits is a database error
    bottom = (wanted - 1) * per_page
    rows = list(queryset.annotate(page_total=Window(Count("pk")))[bottom : bottom + per_page])
    if not rows and wanted > 1:
        return Paginator(queryset, per_page).get_page(wanted)
    paginator = Paginator(queryset, per_page)
    paginator.count = rows[0].page_total if rows else 0  # type: ignore[misc]  # cached_property
    return Page(rows, wanted, paginator)
