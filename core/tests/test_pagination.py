"""HTML list pages counted by the page's own query (core.pagination.page_with_total)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from core.pagination import page_with_total

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
