"""The catalog's cache: anonymous visitors' results and everyone's facets come from the cache,
any save of what they show is visible on the next request, counters lag by the TTL at most, and
signed-in learners' pages are made from the cached cards, those of their own courses (their
progress) rendered afresh."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses import catalog_cache, services
from courses.models import Course
from courses.tests.factories import (
    CategoryFactory,
    CourseFactory,
    StudentFactory,
    course_with_outline,
)

pytestmark = pytest.mark.django_db

URL = reverse("courses:list")


def _visit(client: Client | None = None, **params: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = (client or Client()).get(URL, params)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_an_anonymous_second_visit_is_served_from_the_cache_with_a_fresh_form() -> None:
    CourseFactory(title="Cached course")

    first_queries, first = _visit()
    second_queries, second = _visit()

    assert first_queries >= 3  # facets, the page of courses, their instructors
    assert second_queries == 0
    assert "Cached course" in second
    assert first.count('class="course-card card"') == second.count('class="course-card card"')
    # The page around the cached results is rendered per visitor: its own CSRF token.
    assert (
        first.split('name="csrfmiddlewaretoken" value="')[1][:20]
        != (second.split('name="csrfmiddlewaretoken" value="')[1][:20])
    )


def test_each_query_and_page_is_cached_apart_and_htmx_gets_the_results_alone() -> None:
    CourseFactory(title="Python basics")
    CourseFactory(title="Watercolour painting")

    _visit(q="python")
    _, painting = _visit(q="watercolour")
    queries, python_again = _visit(q="python")
    htmx = Client().get(URL, {"q": "python"}, HTTP_HX_REQUEST="true").content.decode()

    assert "Watercolour painting" in painting
    assert "Python basics" not in painting
    assert queries == 0
    assert "Python basics" in python_again
    assert "Watercolour painting" not in python_again
    assert htmx.lstrip().startswith('<section id="course-results"')
    assert "Python basics" in htmx
    assert "<html" not in htmx


def test_publishing_unpublishing_and_renaming_show_on_the_next_anonymous_visit() -> None:
    instructor = CourseFactory().instructors.get()
    _visit()  # cached without the draft
    draft = services.course_create(instructor=instructor, title="Fresh draft")
    services.module_create(course=draft, title="Start")
    lesson = services.lesson_create(
        module=draft.modules.get(), title="Hello", kind="article", body="Welcome to the course."
    )
    assert lesson.pk

    services.course_publish(course=draft)
    _, after_publish = _visit()
    draft.refresh_from_db()
    draft.title = "Renamed course"
    draft.save()  # a plain save (the admin's), not only the services
    _, after_rename = _visit()
    services.course_unpublish(course=draft)
    _, after_unpublish = _visit()

    assert "Fresh draft" in after_publish
    assert "Renamed course" in after_rename
    assert "Fresh draft" not in after_rename
    assert "Renamed course" not in after_unpublish


def test_facets_follow_a_new_category_at_once() -> None:
    CourseFactory(category=CategoryFactory(name="Design"))
    _visit()

    CourseFactory(category=CategoryFactory(name="Music"))
    _, html = _visit()

    assert ">Music</option>" in html
    assert ">Design</option>" in html


def test_counters_changed_without_a_save_lag_by_the_ttl_at_most(settings) -> None:
    settings.CATALOG_CACHE_SECONDS = 60
    # Redis expires keys by its own clock, which time-machine does not move: a cache in this
    # process does.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "catalog-ttl",
        }
    }
    course = CourseFactory(title="Popular course")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _, before = _visit()
        services.enrollment_create(learner=StudentFactory(), course=course)  # update(), no save
        _, within_ttl = _visit()
        clock.move_to(start + dt.timedelta(seconds=61))
        _, after_ttl = _visit()

    assert "0 learners" in before
    assert "0 learners" in within_ttl
    assert "1 learner " in after_ttl or "1 learner<" in after_ttl


def _course_queries(client: Client, **params: str) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    selects = [query["sql"] for query in queries.captured_queries]
    return [sql for sql in selects if 'FROM "courses_course"' in sql], response.content.decode()


def _signed_in(learner) -> Client:
    client = Client()
    client.force_login(learner)
    return client


def test_signed_in_learners_see_their_own_progress_and_the_next_lesson_done_at_once() -> None:
    course = course_with_outline(modules=1, lessons_per_module=4, title="Course in progress")
    CourseFactory(title="Another course")
    learner = StudentFactory()
    services.enrollment_create(learner=learner, course=course)
    client = _signed_in(learner)

    _, first = _visit(client)
    services.lesson_complete(learner=learner, lesson=course.modules.get().lessons.first())
    _, second = _visit(client)

    assert "0% complete" in first
    assert "25% complete" in second
    assert second.count("% complete") == 1  # only the course they are enrolled in
    assert "Another course" in second
    assert "% complete" not in _visit()[1]  # nor anyone else's


def test_a_signed_in_page_is_made_from_cached_cards_with_no_course_query() -> None:
    course = CourseFactory(title="Cached for everyone")
    first_learner, second_learner = StudentFactory(), StudentFactory()
    services.enrollment_create(learner=first_learner, course=course)
    _, first = _course_queries(_signed_in(first_learner))  # fills the cache, with their progress

    course_queries, html = _course_queries(_signed_in(second_learner))
    _, anonymous = _visit()

    assert "0% complete" in first
    assert course_queries == []
    assert "Cached for everyone" in html
    assert "% complete" not in html  # the first learner's progress is not in the cached cards
    assert "% complete" not in anonymous


def test_enrolling_shows_the_progress_on_the_next_visit_though_the_page_is_cached() -> None:
    course = course_with_outline(modules=1, lessons_per_module=2, title="Just joined")
    learner = StudentFactory()
    client = _signed_in(learner)
    _, before = _visit(client)

    services.enrollment_create(learner=learner, course=course)
    _, after = _visit(client)
    htmx = client.get(URL, HTTP_HX_REQUEST="true").content.decode()

    assert "% complete" not in before
    assert "0% complete" in after
    assert "0% complete" in htmx
    assert htmx.lstrip().startswith('<section id="course-results"')


def test_signed_in_pages_count_and_page_through_the_cached_results() -> None:
    for number in range(13):
        CourseFactory(title=f"Course number {number:02}", enrollment_count=100 - number)
    client = _signed_in(StudentFactory())
    _visit(client, page="2")  # cached

    _, first_page = _visit(client)
    _, second_page = _visit(client, page="2")
    _, past_the_end = _visit(client, page="9")

    assert "13 courses" in first_page
    assert "Page 1 of 2" in first_page
    assert first_page.count('class="course-card card"') == 12
    assert "Page 2 of 2" in second_page
    assert second_page.count('class="course-card card"') == 1
    assert "Course number 12" in second_page
    assert "Page 2 of 2" in past_the_end  # the last page, as Django's get_page shows


def test_no_cache_when_the_ttl_is_zero(settings) -> None:
    settings.CATALOG_CACHE_SECONDS = 0
    CourseFactory()

    _visit()
    queries, _ = _visit()

    assert queries >= 3


def test_a_commit_invalidates_again(django_capture_on_commit_callbacks) -> None:
    """A request that read the old rows before the commit may have cached them under the
    version the save set; the commit's own bump makes that entry stale."""
    course = CourseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        course.title = "Changed"
        course.save()
        during = catalog_cache.version()
    assert catalog_cache.version() > during
    assert Course.objects.get(pk=course.pk).title == "Changed"


def test_the_filter_form_is_cached_per_query_for_everyone_with_the_values_chosen() -> None:
    CourseFactory(category=CategoryFactory(name="Design", slug="design"))
    learner = StudentFactory()
    client = Client()
    client.force_login(learner)

    _, anonymous = _visit(difficulty="advanced")
    _, signed_in = _visit(client, difficulty="advanced")
    _, other_choice = _visit(client, difficulty="beginner", category="design")

    for html in (anonymous, signed_in):
        assert '<option value="advanced" selected>' in html
    assert '<option value="beginner" selected>' in other_choice
    assert '<option value="design" selected>Design</option>' in other_choice
    assert '<option value="advanced" selected>' not in other_choice
