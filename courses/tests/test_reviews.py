"""Course ratings: who may rate, one rating each, the average and the Bayesian sort, on the
course page, in the API and in the admin."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.utils import timezone

from accounts.models import User
from courses import services
from courses.exceptions import InvalidReviewError, NotEnrolledError, ReviewTooEarlyError
from courses.models import Course, CourseReview, LessonProgress
from courses.tests.factories import (
    EnrollmentFactory,
    StudentFactory,
    course_with_outline,
)

pytestmark = pytest.mark.django_db


def _learner_who_started(course: Course) -> User:
    learner = StudentFactory()
    EnrollmentFactory(learner=learner, course=course)
    lesson = course.modules.order_by("order").first().lessons.order_by("order").first()
    LessonProgress.objects.create(learner=learner, lesson=lesson, completed_at=timezone.now())
    return learner


def _refreshed(course: Course) -> Course:
    course.refresh_from_db()
    return course


# --- the rules ---------------------------------------------------------------------------------


def test_a_learner_rates_once_and_a_new_rating_replaces_the_old(course: Course) -> None:
    learner = _learner_who_started(course)

    _, created = services.review_submit(learner=learner, course=course, rating=4, comment="Good")
    review, created_again = services.review_submit(learner=learner, course=course, rating=2)

    assert created is True
    assert created_again is False
    assert review.rating == 2
    assert review.comment == ""
    assert CourseReview.objects.filter(course=course).count() == 1
    assert (_refreshed(course).rating_count, course.rating_total, course.average_rating) == (
        1,
        2,
        2.0,
    )


def test_the_average_counts_every_learner(course: Course) -> None:
    for rating in (5, 4, 4, 3):
        services.review_submit(learner=_learner_who_started(course), course=course, rating=rating)

    assert _refreshed(course).average_rating == 4.0
    assert course.rating_count == 4


def test_only_enrolled_learners_who_finished_a_lesson_may_rate(course: Course) -> None:
    outsider = StudentFactory()
    newcomer = StudentFactory()
    EnrollmentFactory(learner=newcomer, course=course)

    with pytest.raises(NotEnrolledError):
        services.review_submit(learner=outsider, course=course, rating=5)
    with pytest.raises(ReviewTooEarlyError, match="Finish at least one lesson"):
        services.review_submit(learner=newcomer, course=course, rating=5)
    assert _refreshed(course).rating_count == 0


@pytest.mark.parametrize("rating", [0, 6, -1, "5", 4.5, True, None])
def test_a_rating_must_be_a_whole_number_of_stars_from_1_to_5(course: Course, rating: Any) -> None:
    learner = _learner_who_started(course)

    with pytest.raises(InvalidReviewError) as caught:
        services.review_submit(learner=learner, course=course, rating=rating)

    assert "rating" in caught.value.fields
    assert not CourseReview.objects.exists()


def test_withdrawing_or_losing_the_account_takes_the_rating_out_of_the_average(
    course: Course,
) -> None:
    staying, leaving, withdrawing = (_learner_who_started(course) for _ in range(3))
    services.review_submit(learner=staying, course=course, rating=5)
    services.review_submit(learner=leaving, course=course, rating=1)
    services.review_submit(learner=withdrawing, course=course, rating=1)

    assert services.review_delete(learner=withdrawing, course=course) is True
    leaving.delete()

    assert (_refreshed(course).rating_count, course.average_rating) == (1, 5.0)
    assert services.review_delete(learner=withdrawing, course=course) is False


# --- sorting -----------------------------------------------------------------------------------


def test_one_five_star_rating_does_not_outrank_fifty_four_point_eights(instructor: User) -> None:
    lucky = course_with_outline(instructors=[instructor], title="One lucky rating")
    loved = course_with_outline(instructors=[instructor], title="Loved by many")
    course_with_outline(instructors=[instructor], title="Nobody rated")
    services.review_submit(learner=_learner_who_started(lucky), course=lucky, rating=5)
    Course.objects.filter(pk=loved.pk).update(rating_count=50, rating_total=240)  # 4.8 mean

    page = Client().get("/courses/", {"sort": "rating"}).content.decode()
    api = Client().get("/api/v1/courses", {"ordering": "-rating_score"}).json()["results"]

    assert page.index("Loved by many") < page.index("One lucky rating") < page.index("Nobody rated")
    assert [c["title"] for c in api][:3] == ["Loved by many", "One lucky rating", "Nobody rated"]
    assert api[0]["average_rating"] == 4.8
    assert api[2]["average_rating"] is None


# --- the course page ---------------------------------------------------------------------------


def test_a_learner_rates_the_course_from_its_page(course: Course) -> None:
    learner = _learner_who_started(course)
    client = Client()
    client.force_login(learner)

    form = client.get(f"/courses/{course.slug}/").content.decode()
    response = client.post(
        f"/courses/{course.slug}/review/", {"rating": "4", "comment": "Clear <b>and</b> kind"}
    )
    page = client.get(response["Location"]).content.decode()

    assert "Rate this course" in form
    assert response.status_code == 302
    assert "4.0</strong> out of 5 from 1 rating" in page
    assert "Clear &lt;b&gt;and&lt;/b&gt; kind" in page  # shown as text, never as markup
    assert "Update your rating" in page


def test_a_missing_rating_is_an_error_tied_to_the_field(course: Course) -> None:
    learner = _learner_who_started(course)
    client = Client()
    client.force_login(learner)

    response = client.post(f"/courses/{course.slug}/review/", {"comment": "No stars"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose from 1 to 5 stars." in html
    assert 'aria-describedby="id_rating_error"' in html
    assert not CourseReview.objects.exists()


def test_a_learner_who_has_not_started_sees_why_they_cannot_rate_yet(course: Course) -> None:
    learner = StudentFactory()
    EnrollmentFactory(learner=learner, course=course)
    client = Client()
    client.force_login(learner)

    page = client.get(f"/courses/{course.slug}/").content.decode()
    refused = client.post(f"/courses/{course.slug}/review/", {"rating": "5"}, follow=True)

    assert "Finish a lesson to rate this course." in page
    assert "Rate this course" not in page
    assert refused.redirect_chain[-1][1] == 302
    assert "Finish at least one lesson before rating this course." in refused.content.decode()
    assert not CourseReview.objects.exists()


def test_the_course_page_queries_do_not_grow_with_the_ratings(
    course: Course, django_assert_max_num_queries: Any
) -> None:
    for count in (1, 12):
        while CourseReview.objects.filter(course=course).count() < count:
            services.review_submit(
                learner=_learner_who_started(course), course=course, rating=4, comment="Fine"
            )
        with django_assert_max_num_queries(10):
            assert Client().get(f"/courses/{course.slug}/").status_code == 200


# --- the API -----------------------------------------------------------------------------------


def test_the_api_rates_replaces_lists_and_withdraws(course: Course, client_for: Any) -> None:
    learner = _learner_who_started(course)
    api = client_for(learner)
    url = f"/api/v1/courses/{course.pk}/review"

    first = api.put(url, {"rating": 5, "comment": "Great"}, format="json")
    second = api.put(url, {"rating": 3}, format="json")
    listed = Client().get(f"/api/v1/courses/{course.pk}/reviews").json()
    withdrawn = api.delete(url)
    again = api.delete(url)

    assert (first.status_code, second.status_code) == (201, 200)
    assert listed["count"] == 1
    assert listed["results"][0]["rating"] == 3
    assert listed["results"][0]["learner"]["display_name"] == learner.display_name
    assert "email" not in listed["results"][0]["learner"]
    assert (withdrawn.status_code, again.status_code) == (204, 404)


def test_the_api_names_the_bad_field_and_refuses_outsiders(course: Course, client_for: Any) -> None:
    learner = _learner_who_started(course)
    url = f"/api/v1/courses/{course.pk}/review"

    bad = client_for(learner).put(url, {"rating": 7}, format="json")
    outsider = client_for(StudentFactory()).put(url, {"rating": 5}, format="json")
    anonymous = Client().put(url, {"rating": 5}, content_type="application/json")
    unknown = client_for(learner).put("/api/v1/courses/999999/review", {"rating": 5}, format="json")

    assert bad.status_code == 400
    assert "rating" in bad.json()["error"]["fields"]
    assert outsider.status_code == 403
    assert anonymous.status_code == 401
    assert unknown.status_code == 404


def test_the_review_list_endpoint_runs_a_fixed_number_of_queries(
    course: Course, django_assert_max_num_queries: Any
) -> None:
    for count in (1, 15):
        while CourseReview.objects.filter(course=course).count() < count:
            services.review_submit(learner=_learner_who_started(course), course=course, rating=4)
        # the course (3: row, instructors, tags), the count and the page
        with django_assert_max_num_queries(5):
            response = Client().get(f"/api/v1/courses/{course.pk}/reviews")
        assert response.json()["count"] == count


# --- the admin ---------------------------------------------------------------------------------


def test_instructors_read_the_ratings_of_their_own_courses_only(
    course: Course, instructor: User, other_instructor: User
) -> None:
    services.review_submit(learner=_learner_who_started(course), course=course, rating=4)
    review = CourseReview.objects.get()
    Authenticator.objects.create(
        user=other_instructor, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    Authenticator.objects.create(
        user=instructor, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    owner, other = Client(), Client()
    owner.force_login(instructor)
    other.force_login(other_instructor)

    assert owner.get("/admin/courses/coursereview/").content.decode().count(course.title) >= 1
    assert owner.get(f"/admin/courses/coursereview/{review.pk}/change/").status_code == 200
    assert other.get(f"/admin/courses/coursereview/{review.pk}/change/").status_code == 404
    assert owner.post(f"/admin/courses/coursereview/{review.pk}/delete/").status_code == 403


# --- the course page's reviews, in one query ------------------------------------------------------


def _rated_at(course: Course, learner: User, moment: Any, rating: int = 4) -> CourseReview:
    import time_machine

    with time_machine.travel(moment, tick=False):
        return CourseReview.objects.create(course=course, learner=learner, rating=rating)


@pytest.fixture
def twelve_reviews() -> tuple[Course, list[CourseReview]]:
    """A course rated by twelve learners a day apart (the newest last)."""
    from datetime import timedelta

    course = course_with_outline()
    start = timezone.now() - timedelta(days=30)
    reviews = [_rated_at(course, StudentFactory(), start + timedelta(days=n)) for n in range(12)]
    return course, reviews


def test_the_course_page_shows_the_newest_ten_and_the_learners_own_older_one(
    twelve_reviews, django_assert_num_queries
) -> None:
    from courses import selectors

    course, reviews = twelve_reviews
    oldest = reviews[0]
    with django_assert_num_queries(1):
        page = selectors.reviews_for_course_page(course=course, user=oldest.learner, limit=10)
        authors = [review.learner.display_name for review in page.newest]

    assert page.newest == reviews[:1:-1]  # the ten newest, newest first; not the own one
    assert len(authors) == 10
    assert page.mine == oldest


def test_the_learners_own_review_among_the_newest_is_listed_once(twelve_reviews) -> None:
    from courses import selectors

    course, reviews = twelve_reviews
    page = selectors.reviews_for_course_page(course=course, user=reviews[-1].learner, limit=10)

    assert page.newest == reviews[:1:-1]
    assert page.mine == reviews[-1]


def test_a_visitor_or_a_learner_who_never_rated_sees_the_newest_and_no_own_review(
    twelve_reviews,
) -> None:
    from django.contrib.auth.models import AnonymousUser

    from courses import selectors

    course, reviews = twelve_reviews
    for user in (AnonymousUser(), StudentFactory()):
        page = selectors.reviews_for_course_page(course=course, user=user, limit=10)

        assert (page.newest, page.mine) == (reviews[:1:-1], None)


def test_the_course_page_prefills_the_form_with_the_learners_older_rating(
    twelve_reviews, client: Client
) -> None:
    course, reviews = twelve_reviews
    oldest = reviews[0]
    CourseReview.objects.filter(pk=oldest.pk).update(comment="Mine, from a month ago")
    EnrollmentFactory(learner=oldest.learner, course=course)
    lesson = course.modules.order_by("order").first().lessons.order_by("order").first()
    LessonProgress.objects.create(
        learner=oldest.learner, lesson=lesson, completed_at=timezone.now()
    )
    client.force_login(oldest.learner)

    response = client.get(f"/courses/{course.slug}/")

    assert response.status_code == 200
    assert response.context["my_review"] == oldest
    assert response.context["review_form"].initial["comment"] == "Mine, from a month ago"
    assert "Update your rating" in response.content.decode()
    assert len(response.context["reviews"]) == 10
