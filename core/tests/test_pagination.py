"""HTML list pages counted by the page's own query (core.pagination.page_with_total), and long
lists whose total comes from the cache (CachedCountPaginator)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.utils import timezone

from core.pagination import CachedCountPagination, CachedCountPaginator, page_with_total

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups():
    Group.objects.bulk_create(Group(name=f"group-{n:02}") for n in range(7))
    return Group.objects.filter(name__startswith="group-").order_by("name")


def test_a_page_and_its_total_cost_one_query(groups, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = page_with_total(groups, per_page=3, number="2")
        names = [group.name for group in page.object_list]

    assert names == ["group-03", "group-04", "group-05"]
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (2, 7, 3)
    assert page.has_previous()
    assert page.has_next()


def test_the_last_page_holds_the_rest(groups):
    page = page_with_total(groups, per_page=3, number=3)

    assert [group.name for group in page] == ["group-06"]
    assert not page.has_next()


@pytest.mark.parametrize("number", [None, "", "abc", "0", "-4", "1.5"])
def test_a_page_that_is_not_a_whole_number_from_1_shows_the_first(groups, number):
    page = page_with_total(groups, per_page=3, number=number)

    assert page.number == 1
    assert [group.name for group in page] == ["group-00", "group-01", "group-02"]


@pytest.mark.parametrize("number", ["4", "99", str(10**30)])
def test_a_page_past_the_end_shows_the_last(groups, number):
    page = page_with_total(groups, per_page=3, number=number)

    assert (page.number, page.paginator.count) == (3, 7)
    assert [group.name for group in page] == ["group-06"]


def test_an_empty_list_is_one_empty_page(django_assert_num_queries):
    with django_assert_num_queries(1):
        page = page_with_total(
            Group.objects.filter(name__startswith="group-").order_by("name"),
            per_page=3,
            number=None,
        )

    assert (page.number, page.paginator.count, list(page)) == (1, 0, [])
    assert not page.has_other_pages()


def test_an_empty_list_asked_for_a_later_page_shows_the_first():
    page = page_with_total(
        Group.objects.filter(name__startswith="group-").order_by("name"), per_page=3, number="5"
    )

    assert (page.number, page.paginator.count, list(page)) == (1, 0, [])


# --- CachedCountPaginator: the total of a long list from the cache --------------------------------


@pytest.fixture
def local_cache(settings):
    """A cache in this process: Redis expires keys by its own clock, which time-machine does not
    move. Each test gets an empty one."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "list-count-tests",
        }
    }
    from django.core.cache import cache

    cache.clear()
    return settings


def test_a_long_lists_total_is_counted_once_and_its_rows_read_every_time(
    groups, local_cache, django_assert_num_queries
):
    local_cache.LIST_COUNT_CACHE_SECONDS = 60
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        first = CachedCountPaginator(groups, 3).get_page(1)
        assert first.paginator.count == 7
        Group.objects.create(name="group-07")
        with django_assert_num_queries(1):  # the rows only: the total came from the cache
            again = CachedCountPaginator(groups, 3).get_page(3)
            names = [group.name for group in again.object_list]
        clock.move_to(start + dt.timedelta(seconds=61))
        later = CachedCountPaginator(groups, 3).get_page(1)

    assert again.paginator.count == 7  # lags the new row by at most the TTL
    assert names == ["group-06", "group-07"]  # ...but the rows are current
    assert later.paginator.count == 8


def test_each_filtered_list_has_its_own_total(groups, local_cache):
    local_cache.LIST_COUNT_CACHE_SECONDS = 60

    everything = CachedCountPaginator(groups, 3).count
    some = CachedCountPaginator(groups.filter(name__in=["group-01", "group-02"]), 3).count
    others = CachedCountPaginator(groups.filter(name__in=["group-03"]), 3).count

    assert (everything, some, others) == (7, 2, 1)


def test_without_a_ttl_every_page_counts(groups, local_cache, django_assert_num_queries):
    local_cache.LIST_COUNT_CACHE_SECONDS = 0
    CachedCountPaginator(groups, 3).get_page(1)
    Group.objects.create(name="group-07")

    with django_assert_num_queries(2):
        page = CachedCountPaginator(groups, 3).get_page(1)
        names = [group.name for group in page.object_list]

    assert page.paginator.count == 8
    assert names == ["group-00", "group-01", "group-02"]


def test_the_api_pagination_reports_the_cached_total(groups, local_cache, rf):
    from rest_framework.request import Request

    local_cache.LIST_COUNT_CACHE_SECONDS = 60
    request = Request(rf.get("/anything", {"page_size": "5"}))
    paginator = CachedCountPagination()
    rows = paginator.paginate_queryset(groups, request)
    Group.objects.create(name="group-07")
    again = CachedCountPagination()
    again.paginate_queryset(groups, Request(rf.get("/anything", {"page_size": "5"})))

    assert [group.name for group in rows] == [f"group-0{n}" for n in range(5)]
    assert paginator.page.paginator.count == again.page.paginator.count == 7


def test_a_list_no_row_can_match_counts_zero_without_a_query(
    groups, local_cache, django_assert_num_queries
):
    local_cache.LIST_COUNT_CACHE_SECONDS = 60

    with django_assert_num_queries(0):
        assert CachedCountPaginator(groups.filter(pk__in=[]), 3).count == 0
