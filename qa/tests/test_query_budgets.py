"""Every other list page and endpoint of the help center runs a fixed number of SQL queries
whatever the number of rows (the question list and detail have their own tests in test_views and
api/test_views)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from courses.tests.factories import CourseFactory
from qa import services
from qa.models import Category, Question
from qa.tests.factories import AdminFactory, StudentFactory, make_answer, make_question

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_mfa")]


def _count(get: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = get()
    assert response.status_code == 200, response
    return len(captured)


def _flag_everything(count: int) -> None:
    """`count` flagged questions, answers and comments (one of each per round)."""
    for _ in range(count):
        answer = make_answer(question=make_question(course=CourseFactory()))
        comment = services.comment_create(
            author=answer.author, body="Buy cheap pills here", answer=answer
        )
        for post in (answer.question, answer, comment):
            services.post_flag(flagger=StudentFactory(), post=post, reason="spam")


def test_the_moderation_queue_and_the_flags_endpoint(admin_user: User) -> None:
    page = Client()
    page.force_login(admin_user)
    api = APIClient()
    api.force_authenticate(admin_user)

    _flag_everything(1)
    few = (
        _count(lambda: page.get("/questions/moderation/")),
        _count(lambda: api.get("/api/v1/flags")),
    )
    _flag_everything(5)
    many = (
        _count(lambda: page.get("/questions/moderation/")),
        _count(lambda: api.get("/api/v1/flags")),
    )

    assert page.get("/questions/moderation/").content.decode().count("Uphold and hide") == 18
    assert api.get("/api/v1/flags").json()["count"] == 18
    assert many == few


def test_the_following_page_and_endpoint(categories: dict[str, Category]) -> None:
    reader = StudentFactory()
    page = Client()
    page.force_login(reader)
    api = APIClient()
    api.force_authenticate(reader)

    def follow(count: int) -> None:
        for _ in range(count):
            services.follow_create(follower=reader, question=make_question())
            services.follow_create(follower=reader, course=CourseFactory())

    follow(1)
    few = (
        _count(lambda: page.get("/questions/following/")),
        _count(lambda: api.get("/api/v1/questions/following")),
    )
    follow(6)
    services.follow_create(follower=reader, category=categories["python"])
    many = (
        _count(lambda: page.get("/questions/following/")),
        _count(lambda: api.get("/api/v1/questions/following")),
    )

    assert len(api.get("/api/v1/questions/following").json()["follows"]) == 15
    assert many == few


def test_the_history_pages_and_endpoints(question: Question, asker: User) -> None:
    answer = make_answer(question=question, author=asker)
    client = Client()
    api = APIClient()
    urls = [
        f"/questions/{question.pk}/history/",
        f"/questions/answers/{answer.pk}/history/",
        f"/api/v1/questions/{question.pk}/revisions",
        f"/api/v1/answers/{answer.pk}/revisions",
    ]

    def edit(rounds: int, start: int) -> None:
        for number in range(start, start + rounds):
            editor = AdminFactory()  # a different editor each time
            services.question_update(
                question=question, editor=editor, body=f"A question body, version {number}."
            )
            services.answer_update(answer=answer, editor=editor, body=f"Answer version {number}")

    edit(1, 1)
    few = [_count(lambda url=url: (api if "/api/" in url else client).get(url)) for url in urls]
    edit(8, 2)
    many = [_count(lambda url=url: (api if "/api/" in url else client).get(url)) for url in urls]

    assert len(api.get(urls[2]).json()) == 10
    assert many == few


def test_a_member_profile(asker: User, answerer: User) -> None:
    viewer = Client()
    viewer.force_login(answerer)  # their own profile also lists their reputation changes

    def answer_and_rate(count: int) -> None:
        for _ in range(count):
            answer = make_answer(question=make_question(asker=asker), author=answerer)
            services.answer_star(answer=answer, rater=StudentFactory(), stars=5)

    answer_and_rate(1)
    few = _count(lambda: viewer.get(f"/questions/users/{answerer.pk}/"))
    answer_and_rate(8)
    many = _count(lambda: viewer.get(f"/questions/users/{answerer.pk}/"))

    assert (
        "<dt>Answers</dt><dd>9</dd>"
        in viewer.get(f"/questions/users/{answerer.pk}/").content.decode()
    )
    assert many == few
