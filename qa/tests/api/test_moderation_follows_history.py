"""The API beyond asking and rating: edit history, comments, moderation, follows and digests,
the detail's query budget, and the rate limit and change window of the ratings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from courses.tests.factories import CourseFactory
from qa import reputation, services
from qa.models import Answer, Category, Comment, Flag, Question, StarRating, XpAward
from qa.tests.factories import (
    AdminFactory,
    InstructorFactory,
    StudentFactory,
    forget_cache,
    make_answer,
    make_question,
)

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], APIClient]
NOON = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.UTC)


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    return body["error"]


# --- edits with history ---------------------------------------------------------------------


def test_every_version_of_a_question_and_an_answer_is_in_the_api(
    question: Question, answer: Answer, asker: User, answerer: User, api_client: APIClient
) -> None:
    services.question_update(
        question=question, editor=asker, title="Docker container exits with code 0", note="title"
    )
    services.answer_update(
        answer=answer, editor=answerer, body="Run the server with exec in start.sh.", note="file"
    )

    questions = api_client.get(f"/api/v1/questions/{question.pk}/revisions")
    answers = api_client.get(f"/api/v1/answers/{answer.pk}/revisions")

    assert questions.status_code == 200
    assert [
        (revision["number"], revision["title"], revision["note"], revision["editor"]["id"])
        for revision in questions.json()
    ] == [
        (1, "Docker container exits immediately after docker run", "Asked", asker.pk),
        (2, "Docker container exits with code 0", "title", asker.pk),
    ]
    assert [(revision["number"], revision["body"]) for revision in answers.json()] == [
        (1, "Run the server with exec."),
        (2, "Run the server with exec in start.sh."),
    ]


def test_the_history_of_a_hidden_answer_is_404_for_others(
    answer: Answer, admin_user: User, api_client: APIClient, api_client_for: ClientFor
) -> None:
    services.post_hide(post=answer, moderator=admin_user)

    assert api_client.get(f"/api/v1/answers/{answer.pk}/revisions").status_code == 404
    own = api_client_for(answer.author).get(f"/api/v1/answers/{answer.pk}/revisions")
    assert own.status_code == 200


# --- comments -------------------------------------------------------------------------------


def test_a_comment_is_deleted_by_its_author_or_a_moderator_only(
    answer: Answer, asker: User, other_student: User, admin_user: User, api_client_for: ClientFor
) -> None:
    first = services.comment_create(author=asker, body="Which Docker version?", answer=answer)
    second = services.comment_create(author=asker, body="And which OS?", answer=answer)

    refused = api_client_for(other_student).delete(f"/api/v1/comments/{first.pk}")
    by_author = api_client_for(asker).delete(f"/api/v1/comments/{first.pk}")
    by_admin = api_client_for(admin_user).delete(f"/api/v1/comments/{second.pk}")
    missing = api_client_for(asker).delete(f"/api/v1/comments/{first.pk}")

    assert refused.status_code == 403
    assert _error(refused)["code"] == "not_moderator"
    assert (by_author.status_code, by_admin.status_code) == (204, 204)
    assert missing.status_code == 404
    assert not Comment.objects.exists()


# --- moderation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("student", 403), ("other_instructor", 403), ("course_instructor", 200), ("admin", 200)],
)
def test_who_may_hide_an_answer_through_the_api(
    role: str, status: int, api_client_for: ClientFor, api_client: APIClient
) -> None:
    teacher = InstructorFactory()
    answer = make_answer(question=make_question(course=CourseFactory(instructors=[teacher])))
    actor = {
        "student": StudentFactory(),
        "other_instructor": InstructorFactory(),
        "course_instructor": teacher,
        "admin": AdminFactory(),
    }[role]

    response = api_client_for(actor).put(
        f"/api/v1/answers/{answer.pk}/visibility",
        {"is_hidden": True, "reason": "Spam link"},
        format="json",
    )

    assert response.status_code == status
    assert Answer.objects.get(pk=answer.pk).is_hidden is (status == 200)
    if status == 200:
        assert response.json() == {
            "kind": "answer",
            "id": answer.pk,
            "is_hidden": True,
            "hidden_reason": "Spam link",
        }
        # Hidden posts disappear for everyone else, and stay visible to their author.
        assert api_client.get(f"/api/v1/answers/{answer.pk}").status_code == 404
        detail = api_client.get(f"/api/v1/questions/{answer.question_id}").json()
        assert detail["answers"] == []
        assert api_client_for(answer.author).get(f"/api/v1/answers/{answer.pk}").status_code == 200
    else:
        assert _error(response)["code"] == "not_moderator"


def test_a_hidden_question_and_comment_come_back_when_shown_again(
    question: Question,
    asker: User,
    admin_user: User,
    api_client: APIClient,
    api_client_for: ClientFor,
) -> None:
    comment = services.comment_create(author=asker, body="Docker 27 on Debian", question=question)
    admin = api_client_for(admin_user)

    admin.put(f"/api/v1/comments/{comment.pk}/visibility", {"is_hidden": True}, format="json")
    admin.put(f"/api/v1/questions/{question.pk}/visibility", {"is_hidden": True}, format="json")
    hidden_list = api_client.get("/api/v1/questions").json()["count"]
    hidden_detail = api_client.get(f"/api/v1/questions/{question.pk}").status_code
    admin.put(f"/api/v1/questions/{question.pk}/visibility", {"is_hidden": False}, format="json")
    without_comment = api_client.get(f"/api/v1/questions/{question.pk}").json()["comments"]
    shown = admin.put(
        f"/api/v1/comments/{comment.pk}/visibility", {"is_hidden": False}, format="json"
    )
    with_comment = api_client.get(f"/api/v1/questions/{question.pk}").json()["comments"]

    assert (hidden_list, hidden_detail) == (0, 404)
    assert without_comment == []
    assert shown.json()["is_hidden"] is False
    assert [item["body"] for item in with_comment] == ["Docker 27 on Debian"]
    bad = admin.put(f"/api/v1/questions/{question.pk}/visibility", {}, format="json")
    assert bad.status_code == 400
    assert list(_error(bad)["fields"]) == ["is_hidden"]


def test_instructors_see_and_resolve_flags_on_their_courses_only(
    api_client_for: ClientFor,
) -> None:
    teacher = InstructorFactory()
    ours = make_answer(question=make_question(course=CourseFactory(instructors=[teacher])))
    theirs = make_answer(question=make_question(course=CourseFactory()))
    flag_ours = services.post_flag(flagger=StudentFactory(), post=ours, reason="spam")
    flag_theirs = services.post_flag(flagger=StudentFactory(), post=theirs, reason="spam")
    client = api_client_for(teacher)

    listed = client.get("/api/v1/flags")
    refused = client.post(f"/api/v1/flags/{flag_theirs.pk}/resolve", {"uphold": True})
    upheld = client.post(f"/api/v1/flags/{flag_ours.pk}/resolve", {"uphold": True}, format="json")
    student = api_client_for(StudentFactory()).get("/api/v1/flags")
    admin = api_client_for(AdminFactory()).get("/api/v1/flags")

    assert [
        (item["id"], item["post_kind"], item["post_id"], item["question_id"])
        for item in listed.json()["results"]
    ] == [(flag_ours.pk, "answer", ours.pk, ours.question_id)]
    assert refused.status_code == 403
    assert upheld.json()["status"] == "upheld"
    assert Answer.objects.get(pk=ours.pk).is_hidden
    assert Flag.objects.get(pk=flag_theirs.pk).status == "open"
    assert student.status_code == 403
    assert [item["id"] for item in admin.json()["results"]] == [flag_theirs.pk]


# --- follows and digests ----------------------------------------------------------------------


def test_following_a_category_and_a_course_and_choosing_the_digest(
    categories: dict[str, Category], other_student: User, api_client_for: ClientFor
) -> None:
    course = CourseFactory()
    client = api_client_for(other_student)

    assert client.post("/api/v1/categories/python/follow").json() == {"following": True}
    assert client.post("/api/v1/categories/python/follow").json() == {"following": True}
    assert client.post(f"/api/v1/courses/{course.pk}/questions/follow").json() == {
        "following": True
    }
    assert client.post("/api/v1/categories/no-such/follow").status_code == 404
    chosen = client.put("/api/v1/questions/following", {"frequency": "daily"}, format="json")
    bad = client.put("/api/v1/questions/following", {"frequency": "hourly"}, format="json")

    assert chosen.status_code == 200
    body = chosen.json()
    assert (body["frequency"], body["notify_as_expert"]) == ("daily", True)
    assert sorted((item["kind"], item["name"]) for item in body["follows"]) == [
        ("category", "Python"),
        ("course", course.title),
    ]
    assert bad.status_code == 400
    assert list(_error(bad)["fields"]) == ["frequency"]
    client.delete("/api/v1/categories/python/follow")
    following = client.get("/api/v1/questions/following").json()
    assert [item["kind"] for item in following["follows"]] == ["course"]


def test_a_followed_category_reaches_the_daily_digest(
    categories: dict[str, Category],
    other_student: User,
    api_client_for: ClientFor,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    client = api_client_for(other_student)
    client.post("/api/v1/categories/data/follow")
    client.put("/api/v1/questions/following", {"frequency": "daily"}, format="json")
    with time_machine.travel(NOON, tick=False):
        make_question(title="How do I pivot a pandas dataframe?", category=categories["data"])
        make_question(title="Which CSS grid tutorial is best?", category=categories["design"])
    with (
        time_machine.travel(NOON + dt.timedelta(hours=20), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sent = services.digests_send(frequency="daily")

    assert sent == 1
    assert [message.to for message in mailoutbox] == [[other_student.email]]
    assert "How do I pivot a pandas dataframe?" in mailoutbox[0].body
    assert "CSS grid" not in mailoutbox[0].body


# --- query budget, rate limit, change window ----------------------------------------------------


def test_the_detail_endpoint_runs_a_fixed_number_of_queries(
    question: Question, asker: User, api_client_for: ClientFor
) -> None:
    client = api_client_for(asker)

    def add_answers(count: int) -> None:
        for _ in range(count):
            answer = make_answer(question=question)
            services.answer_star(answer=answer, rater=StudentFactory(), stars=4)
            services.answer_star(answer=answer, rater=asker, stars=5)
            services.comment_create(author=answer.author, body="A comment", answer=answer)
        services.comment_create(author=asker, body="Question comment", question=question)

    def measure() -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/api/v1/questions/{question.pk}")
        assert response.status_code == 200
        return len(captured), response.json()

    add_answers(1)
    few, _ = measure()
    add_answers(12)
    many, body = measure()

    assert len(body["answers"]) == 13
    assert all(answer["my_stars"] == 5 for answer in body["answers"])
    assert many == few <= 10


def test_star_ratings_over_the_hourly_limit_are_429_in_the_error_shape(
    question: Question, other_student: User, api_client_for: ClientFor
) -> None:
    forget_cache()
    answers = [make_answer(question=question) for _ in range(reputation.STAR_RATINGS_PER_HOUR + 1)]
    client = api_client_for(other_student)
    statuses = [
        client.put(f"/api/v1/answers/{answer.pk}/star", {"stars": 4}, format="json").status_code
        for answer in answers[:-1]
    ]

    refused = client.put(f"/api/v1/answers/{answers[-1].pk}/star", {"stars": 4}, format="json")

    assert set(statuses) == {200}
    assert refused.status_code == 429
    assert _error(refused)["code"] == "rate_limited"
    assert _error(refused)["message"] == (
        "You can rate at most 30 answers an hour; try again later."
    )
    assert not StarRating.objects.filter(answer=answers[-1]).exists()


def test_the_xp_award_changes_within_the_window_then_is_409(
    answer: Answer, asker: User, answerer: User, api_client_for: ClientFor
) -> None:
    from qa.tests.ledger import ledger_total

    client = api_client_for(asker)
    url = f"/api/v1/answers/{answer.pk}/rate"
    with time_machine.travel(NOON, tick=False):
        first = client.put(url, {"xp": 9}, format="json")
    with time_machine.travel(NOON + dt.timedelta(minutes=9), tick=False):
        changed = client.put(url, {"xp": 4}, format="json")
    with time_machine.travel(NOON + reputation.XP_AWARD_CHANGE_WINDOW, tick=False):
        locked = client.put(url, {"xp": 10}, format="json")

    assert first.json()["changeable_until"] == "2026-05-04T12:10:00Z"
    assert changed.json()["xp"] == 4
    assert locked.status_code == 409
    assert _error(locked)["code"] == "xp_award_locked"
    assert XpAward.objects.get().amount == 4
    assert ledger_total(answerer) == 4  # the current award, never 9 + 4


@pytest.mark.parametrize(
    "query",
    [
        "search=a+b+c&sort=relevance",  # nothing searchable: no match, still sorted by rank
        "search=%00docker&tag=a%00&category=%00",  # NUL characters (PostgreSQL refuses them)
    ],
)
def test_odd_searches_answer_200_never_500(
    question: Question, api_client: APIClient, query: str
) -> None:
    response = api_client.get(f"/api/v1/questions?{query}")
    page = Client().get(f"/questions/?{query.replace('search=', 'q=')}")

    assert response.status_code == 200
    assert page.status_code == 200
    similar = api_client.get("/api/v1/questions/similar?title=docker%00container%00exits")
    assert [item["id"] for item in similar.json()] == [question.pk]
