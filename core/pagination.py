"""Page-number pagination: the API's (`count`, `next`, `previous`, `results`, a capped page size),
`page_with_total` for HTML lists (`page_of` for a page put together elsewhere), and
`CachedCountPaginator` for lists too long to count on every page."""

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.utils.functional import cached_property
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
    return page_of(rows, number=wanted, per_page=per_page, total=rows[0].page_total if rows else 0)


def page_of(rows: list[Any], *, number: int, per_page: int, total: int) -> Page:
    """A page of `rows` already fetched (or rendered), numbered `number` of a list of `total`
    items: Django's Page and Paginator, with the count given instead of counted."""
    paginator = Paginator([], per_page)
    paginator.count = total  # type: ignore[misc]  # a cached_property, set instead of counted
    return Page(rows, number, paginator)


def cached_count(queryset: QuerySet[Any], *, seconds: int | None = None) -> int:
    """`queryset.count()`, kept in the cache for `seconds` (settings.LIST_COUNT_CACHE_SECONDS).

    Counting a long list (200,000 questions) means reading every row that matches, on every
    page of it. The key is the query itself (its SQL and parameters: the filters, the search,
    the viewer where visibility depends on them), so every distinct list has its own total. A
    total may lag a new or removed row by `seconds`; the rows shown are always read fresh."""
    seconds = settings.LIST_COUNT_CACHE_SECONDS if seconds is None else seconds
    if seconds <= 0:
        return queryset.count()
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:  # a filter no row can match (Django's count() answers 0 unasked)
        return 0
    digest = hashlib.sha256(repr((queryset.db, sql, params)).encode()).hexdigest()
    key = f"list-count:{digest}"
    total = cache.get(key)
    if total is None:
        total = queryset.count()
        cache.set(key, total, seconds)
    return total


class CachedCountPaginator(Paginator):
    """Django's Paginator with its total from `cached_count` (without `orphans`)."""

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return cached_count(self.object_list)
        return super().count

    def page(self, number: Any) -> Page:
        """The page's rows, never cut at the total: a total that lags new rows must not hide
        them from the last page (Django's Paginator ends the last page at its count)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


class CachedCountPagination(PageNumberPagination):
    """The API's pagination, its `count` from `cached_count`."""

    django_paginator_class = CachedCountPaginator
