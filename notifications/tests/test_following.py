"""Following instructors: from the course page and the API; a course they publish notifies every
follower once, from courses' own publish service."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from courses import services as course_services
from courses.models import Course
from courses.tests.factories import (
    CourseFactory,
    InstructorFactory,
    StudentFactory,
    course_with_outline,
)
from notifications import services
from notifications.models import InstructorFollow, Kind, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def teacher(settings: Any) -> User:
    """An instructor with one published course."""
    settings.MFA_REQUIRED_FOR_STAFF = False
    instructor = InstructorFactory(display_name="Ivy Instructor", bio="Teaches Git.")
    CourseFactory(instructors=[instructor], title="Git basics")
    return instructor


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_learner_follows_from_the_course_page_and_unfollows_from_the_following_page(
    student: User, teacher: User
) -> None:
    course = teacher.courses_taught.get()
    client = _client(student)
    page = client.get(f"/courses/{course.slug}/").content.decode()
    assert 'id="course-instructors"' in page
    assert "Ivy Instructor" in page
    assert f'action="/instructors/{teacher.pk}/follow/"' in page

    response = client.post(
        f"/instructors/{teacher.pk}/follow/", {"next": f"/courses/{course.slug}/"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/courses/{course.slug}/"
    assert list(InstructorFollow.objects.values_list("follower", "instructor")) == [
        (student.pk, teacher.pk)
    ]
    page = client.get(f"/courses/{course.slug}/").content.decode()
    assert f'action="/instructors/{teacher.pk}/unfollow/"' in page
    assert "You follow Ivy Instructor" in page

    listing = client.get("/notifications/following/").content.decode()
    assert "Ivy Instructor" in listing
    assert "1 published course " in listing
    response = client.post(f"/instructors/{teacher.pk}/unfollow/")
    assert response["Location"] == "/notifications/following/"
    assert not InstructorFollow.objects.exists()


def test_the_instructors_panel_knows_whom_the_viewer_follows_however_the_course_was_loaded(
    student: User, teacher: User, rf: Any
) -> None:
    from courses.selectors import course_get_for_learner
    from notifications.panels import course_instructors

    other = InstructorFactory(display_name="Otto Other")
    course = teacher.courses_taught.get()
    course.instructors.add(other)
    services.instructor_follow(follower=student, instructor=teacher)
    request = rf.get(f"/courses/{course.slug}/")
    request.user = student

    # The course page's query (followed_by_viewer), and a course with only its instructors.
    for loaded in (
        course_get_for_learner(user=student, slug=course.slug),
        Course.objects.prefetch_related("instructors").get(pk=course.pk),
    ):
        panel = course_instructors(request, course=loaded)
        assert {i["name"]: i["is_followed"] for i in panel["instructors"]} == {
            "Ivy Instructor": True,
            "Otto Other": False,
        }


def test_the_follow_form_ignores_a_next_address_on_another_site(
    student: User, teacher: User
) -> None:
    response = _client(student).post(
        f"/instructors/{teacher.pk}/follow/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/notifications/following/"


def test_visitors_see_the_instructors_with_a_log_in_link_and_an_instructor_not_themselves(
    client: Client, teacher: User
) -> None:
    course = teacher.courses_taught.get()
    page = client.get(f"/courses/{course.slug}/").content.decode()
    assert "Log in to follow Ivy Instructor" in page
    assert "/follow/" not in page
    own = _client(teacher).get(f"/courses/{course.slug}/").content.decode()
    assert "Ivy Instructor" in own
    assert f"/instructors/{teacher.pk}/follow/" not in own


def test_nobody_follows_someone_who_teaches_no_published_course_or_themselves(
    student: User, teacher: User, other_student: User
) -> None:
    drafting = InstructorFactory()
    CourseFactory(instructors=[drafting], status=Course.Status.DRAFT, published_at=None)
    api = _api(student)
    for target in (drafting, other_student):
        response = api.post(f"/api/v1/instructors/{target.pk}/follow")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "instructor_not_found"
        assert _client(student).post(f"/instructors/{target.pk}/follow/").status_code == 404
    response = _api(teacher).post(f"/api/v1/instructors/{teacher.pk}/follow")
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "cannot_follow_self",
        "message": "You cannot follow yourself.",
        "fields": {},
    }
    assert not InstructorFollow.objects.exists()


def test_the_api_follows_once_lists_and_unfollows(student: User, teacher: User) -> None:
    api = _api(student)
    first = api.post(f"/api/v1/instructors/{teacher.pk}/follow")
    again = api.post(f"/api/v1/instructors/{teacher.pk}/follow")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == {"instructor_id": teacher.pk, "following": True}
    body = api.get("/api/v1/instructors/following").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["instructor_id"], row["display_name"], row["published_course_count"]) == (
        teacher.pk,
        "Ivy Instructor",
        1,
    )
    assert api.delete(f"/api/v1/instructors/{teacher.pk}/follow").status_code == 204
    assert api.delete(f"/api/v1/instructors/{teacher.pk}/follow").status_code == 204
    assert api.get("/api/v1/instructors/following").json()["count"] == 0


def test_the_following_list_and_page_run_a_fixed_number_of_queries(
    student: User, django_assert_max_num_queries: Any
) -> None:
    api = _api(student)
    client = _client(student)
    for count in (2, 12):
        for _ in range(count):
            instructor = InstructorFactory()
            CourseFactory(instructors=[instructor])
            CourseFactory(instructors=[instructor])
            services.instructor_follow(follower=student, instructor=instructor)
        with django_assert_max_num_queries(3):
            body = api.get("/api/v1/instructors/following").json()
        assert {row["published_course_count"] for row in body["results"]} == {2}
        with django_assert_max_num_queries(8):
            page = client.get("/notifications/following/").content.decode()
        assert page.count("2 published courses") == min(body["count"], 30)


def test_a_course_published_by_a_followed_instructor_notifies_each_follower_once(
    teacher: User, django_capture_on_commit_callbacks: Any, mailoutbox: list
) -> None:
    follower, second, stranger = StudentFactory(), StudentFactory(), StudentFactory()
    co_teacher = InstructorFactory(display_name="Cy Co-teacher")
    CourseFactory(instructors=[co_teacher])
    for instructor in (teacher, co_teacher):
        services.instructor_follow(follower=follower, instructor=instructor)
    services.instructor_follow(follower=second, instructor=teacher)
    services.instructor_follow(follower=co_teacher, instructor=teacher)  # teaches it: not told
    course = course_with_outline(
        instructors=[teacher, co_teacher],
        status=Course.Status.DRAFT,
        published_at=None,
        title="Advanced Git",
        subtitle="Rebase without fear",
    )

    with django_capture_on_commit_callbacks(execute=True):
        course_services.course_publish(course=course)
    with django_capture_on_commit_callbacks(execute=True):
        course_services.course_unpublish(course=course)
        course_services.course_publish(course=course)  # a second publication tells nobody again

    told = Notification.objects.filter(kind=Kind.COURSE_PUBLISHED)
    assert sorted(told.values_list("recipient", flat=True)) == sorted([follower.pk, second.pk])
    notification = told.first()
    assert notification.title == "Ivy Instructor, Cy Co-teacher published “Advanced Git”"
    assert notification.body == "Rebase without fear"
    assert notification.link == f"/courses/{course.slug}/"
    assert not Notification.objects.filter(recipient=stranger).exists()
    assert mailoutbox == []  # in the app (and push) by default, not by email


def test_a_follower_who_turned_the_kind_off_is_not_told(
    teacher: User, student: User, django_capture_on_commit_callbacks: Any
) -> None:
    services.instructor_follow(follower=student, instructor=teacher)
    services.preference_set(
        user=student, kind=Kind.COURSE_PUBLISHED, in_app=False, email=False, push=False
    )
    course = course_with_outline(
        instructors=[teacher], status=Course.Status.DRAFT, published_at=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        course_services.course_publish(course=course)
    assert not Notification.objects.exists()
