"""The help center API: exact paths, status codes, the error shape and permissions per role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import User
from qa import services
from qa.models import Answer, Category, Flag, Question, StarRating
from qa.tests.factories import StudentFactory, make_answer, make_question

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], APIClient]


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert {"code", "message", "fields"} <= set(body["error"])
    return body["error"]


# --- questions ----------------------------------------------------------------------------------


def test_anyone_lists_questions_with_pagination(question: Question, api_client: APIClient) -> None:
    response = api_client.get("/api/v1/questions")

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 1
    item = body["results"][0]
    assert item["title"] == question.title
    assert item["category"] == {"slug": "devops", "name": "DevOps"}
    assert item["asker"]["reputation"] == 0
    assert item["answer_count"] == 0
    assert item["url"] == f"/questions/{question.pk}/"


def test_the_list_endpoint_runs_a_fixed_number_of_queries(
    categories: dict[str, Category], api_client: APIClient, settings: Any
) -> None:
    settings.LIST_COUNT_CACHE_SECONDS = 0  # each visit counts: the same queries, few or many rows

    def measure() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api_client.get("/api/v1/questions?page_size=50").status_code == 200
        return len(captured)

    for _ in range(2):
        make_answer(question=make_question(category=categories["data"], tags=["sql"]))
    few = measure()
    for _ in range(10):
        make_answer(question=make_question(category=categories["data"], tags=["sql", "joins"]))

    assert measure() == few <= 5


def test_the_list_endpoint_runs_the_same_queries_however_many_answers_each_question_has(
    categories: dict[str, Category], api_client: APIClient, settings: Any
) -> None:
    settings.LIST_COUNT_CACHE_SECONDS = 0  # each visit counts: the same queries, few or many rows

    def measure() -> tuple[int, list[int]]:
        with CaptureQueriesContext(connection) as captured:
            response = api_client.get("/api/v1/questions")
        assert response.status_code == 200
        return len(captured), [item["answer_count"] for item in response.json()["results"]]

    questions = [make_question(category=categories["data"]) for _ in range(3)]
    for question in questions:
        make_answer(question=question)
    few, _ = measure()
    for question in questions:
        for _ in range(6):
            make_answer(question=question)

    many, counts = measure()
    assert counts == [7, 7, 7]
    assert many == few


def test_filters_and_search_in_the_api(question: Question, api_client: APIClient) -> None:
    make_question(title="Salary negotiation for juniors", tags=["salary"])

    assert [
        q["title"] for q in api_client.get("/api/v1/questions?search=docker").json()["results"]
    ] == [question.title]
    assert api_client.get("/api/v1/questions?tag=salary").json()["count"] == 1
    assert api_client.get("/api/v1/questions?unanswered=true").json()["count"] == 2

    bad = api_client.get("/api/v1/questions?sort=best")
    assert bad.status_code == 400
    assert _error(bad)["fields"] == {"sort": ["Choose newest, active, votes or relevance."]}


def test_asking_without_a_category_through_the_api(
    student: User, api_client_for: ClientFor, categories: dict[str, Category]
) -> None:
    response = api_client_for(student).post(
        "/api/v1/questions",
        {
            "title": "React useEffect runs twice on mount",
            "body": "In development my component fetches twice. Is StrictMode the reason?",
            "tags": ["react"],
        },
        format="json",
    )

    body = response.json()
    assert response.status_code == 201
    assert body["category"] == {"slug": "javascript", "name": "JavaScript"}
    assert body["category_source"] == "classifier"
    assert body["category_explanation"].startswith("Chosen by the classifier")
    assert body["answers"] == []


def test_asking_with_bad_input_is_400_naming_the_field(
    student: User, api_client_for: ClientFor
) -> None:
    client = api_client_for(student)

    short = client.post("/api/v1/questions", {"title": "short", "body": "x" * 30}, format="json")
    unknown = client.post(
        "/api/v1/questions",
        {"title": "A perfectly fine title", "body": "x" * 30, "category": "nope"},
        format="json",
    )

    assert short.status_code == 400
    assert _error(short)["fields"] == {"title": ["The title must be at least 10 characters."]}
    assert unknown.status_code == 400
    assert list(_error(unknown)["fields"]) == ["category"]
    assert not Question.objects.exists()


def test_anonymous_callers_cannot_write(
    question: Question, answer: Answer, api_client: APIClient
) -> None:
    for method, path, data in [
        ("post", "/api/v1/questions", {"title": "x"}),
        ("post", f"/api/v1/questions/{question.pk}/answers", {"body": "x"}),
        ("put", f"/api/v1/answers/{answer.pk}/rate", {"xp": 5}),
        ("put", f"/api/v1/answers/{answer.pk}/star", {"stars": 5}),
        ("post", f"/api/v1/answers/{answer.pk}/accept", {}),
    ]:
        response = getattr(api_client, method)(path, data, format="json")
        assert response.status_code == 401, path
        assert _error(response)["code"] == "not_authenticated"


def test_the_detail_shows_answers_ranked_with_ratings(
    question: Question, asker: User, api_client_for: ClientFor
) -> None:
    low = make_answer(question=question)
    high = make_answer(question=question)
    services.answer_star(answer=high, rater=asker, stars=5)
    services.answer_star(answer=low, rater=asker, stars=1)

    body = api_client_for(asker).get(f"/api/v1/questions/{question.pk}").json()

    assert [answer["id"] for answer in body["answers"]] == [high.pk, low.pk]
    assert body["answers"][0]["star_average"] == 5.0
    assert body["answers"][0]["ranking_score"] == pytest.approx(20 / 6, abs=0.001)
    assert body["answers"][0]["my_stars"] == 5
    assert body["answers"][0]["xp_awarded"] is None


def test_a_missing_question_is_404_in_the_error_shape(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/questions/999999")

    assert response.status_code == 404
    assert _error(response)["code"] == "question_not_found"


def test_editing_and_deleting_a_question(
    question: Question, asker: User, api_client_for: ClientFor
) -> None:
    client = api_client_for(asker)

    edited = client.patch(
        f"/api/v1/questions/{question.pk}", {"title": "Docker exits with code 0"}, format="json"
    )
    assert edited.status_code == 200
    assert edited.json()["title"] == "Docker exits with code 0"

    make_answer(question=question)
    refused = client.delete(f"/api/v1/questions/{question.pk}")
    assert refused.status_code == 409
    assert _error(refused)["code"] == "cannot_delete"
    assert Question.objects.filter(pk=question.pk).exists()


def test_a_student_cannot_edit_others_questions(
    question: Question, other_student: User, api_client_for: ClientFor
) -> None:
    response = api_client_for(other_student).patch(
        f"/api/v1/questions/{question.pk}", {"title": "Vandalised title!"}, format="json"
    )

    assert response.status_code == 403
    assert _error(response)["code"] == "privilege_required"
    assert response.json()["error"]["extra"] == {
        "privilege": "edit",
        "required": 200,
        "reputation": 0,
    }


# --- answers and ratings --------------------------------------------------------------------------


def test_answering_through_the_api(
    question: Question, answerer: User, api_client_for: ClientFor
) -> None:
    response = api_client_for(answerer).post(
        f"/api/v1/questions/{question.pk}/answers",
        {"body": "Use `exec` in start.sh"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["body_html"] == "<p>Use <code>exec</code> in start.sh</p>"
    assert response.json()["author"]["id"] == answerer.pk


def test_stars_one_to_five_once_per_user(
    answer: Answer, other_student: User, api_client_for: ClientFor
) -> None:
    client = api_client_for(other_student)
    url = f"/api/v1/answers/{answer.pk}/star"

    first = client.put(url, {"stars": 5}, format="json")
    second = client.put(url, {"stars": 3}, format="json")

    assert first.status_code == second.status_code == 200
    assert second.json()["stars"] == 3
    assert second.json()["star_count"] == 1
    assert second.json()["star_average"] == 3.0
    assert StarRating.objects.count() == 1


@pytest.mark.parametrize("payload", [{"stars": 0}, {"stars": 6}, {"stars": "five"}, {}, [5]])
def test_stars_out_of_range_are_400_naming_the_field(
    answer: Answer, other_student: User, api_client_for: ClientFor, payload: object
) -> None:
    response = api_client_for(other_student).put(
        f"/api/v1/answers/{answer.pk}/star", payload, format="json"
    )

    assert response.status_code == 400
    assert _error(response)["fields"] == {"stars": ["Stars must be a whole number from 1 to 5."]}
    assert not StarRating.objects.exists()


def test_stars_on_your_own_answer_are_403(
    answer: Answer, answerer: User, api_client_for: ClientFor
) -> None:
    response = api_client_for(answerer).put(
        f"/api/v1/answers/{answer.pk}/star", {"stars": 5}, format="json"
    )

    assert response.status_code == 403
    assert _error(response)["code"] == "own_content"
    assert not StarRating.objects.exists()


def test_only_the_asker_accepts(
    answer: Answer, asker: User, other_student: User, api_client_for: ClientFor
) -> None:
    refused = api_client_for(other_student).post(f"/api/v1/answers/{answer.pk}/accept")
    assert refused.status_code == 403
    assert _error(refused)["code"] == "not_asker"

    accepted = api_client_for(asker).post(f"/api/v1/answers/{answer.pk}/accept")
    assert accepted.status_code == 200
    assert accepted.json()["is_accepted"] is True

    withdrawn = api_client_for(asker).delete(f"/api/v1/answers/{answer.pk}/accept")
    assert withdrawn.json()["is_accepted"] is False


def test_editing_and_deleting_an_answer(
    answer: Answer, answerer: User, api_client_for: ClientFor
) -> None:
    client = api_client_for(answerer)

    edited = client.patch(
        f"/api/v1/answers/{answer.pk}", {"body": "Use exec, always."}, format="json"
    )
    deleted = client.delete(f"/api/v1/answers/{answer.pk}")

    assert edited.status_code == 200
    assert edited.json()["body"] == "Use exec, always."
    assert deleted.status_code == 204
    assert not Answer.objects.filter(pk=answer.pk).exists()


# --- flags, comments, close, follow, categories --------------------------------------------------


def test_flagging_once(
    answer: Answer, other_student: User, answerer: User, api_client_for: ClientFor
) -> None:
    client = api_client_for(other_student)
    url = f"/api/v1/answers/{answer.pk}/flag"

    first = client.post(url, {"reason": "spam"}, format="json")
    again = client.post(url, {"reason": "spam"}, format="json")
    own = api_client_for(answerer).post(url, {"reason": "spam"}, format="json")
    other = client.post(
        f"/api/v1/questions/{answer.question_id}/flag", {"reason": "other"}, format="json"
    )

    assert first.status_code == 201
    assert first.json()["status"] == "open"
    assert again.status_code == 409
    assert _error(again)["code"] == "already_flagged"
    assert own.status_code == 403
    assert other.status_code == 400
    assert _error(other)["fields"] == {"note": ["Say what is wrong with this post."]}
    assert Flag.objects.count() == 1


def test_three_flags_hide_an_answer_from_the_api(
    answer: Answer, api_client: APIClient, api_client_for: ClientFor
) -> None:
    for _ in range(3):
        api_client_for(StudentFactory()).post(
            f"/api/v1/answers/{answer.pk}/flag", {"reason": "offensive"}, format="json"
        )

    assert api_client.get(f"/api/v1/answers/{answer.pk}").status_code == 404
    answers = api_client.get(f"/api/v1/questions/{answer.question_id}").json()["answers"]
    assert answers == []


def test_comments_close_reopen_and_follow(
    question: Question, asker: User, api_client_for: ClientFor
) -> None:
    client = api_client_for(asker)

    comment = client.post(
        f"/api/v1/questions/{question.pk}/comments", {"body": "Docker 27"}, format="json"
    )
    closed = client.post(
        f"/api/v1/questions/{question.pk}/close", {"reason": "resolved"}, format="json"
    )
    reopened = client.post(f"/api/v1/questions/{question.pk}/reopen")
    unfollowed = client.delete(f"/api/v1/questions/{question.pk}/follow")

    assert comment.status_code == 201
    assert comment.json()["body"] == "Docker 27"
    assert closed.json()["status"] == "closed"
    assert reopened.json()["status"] == "open"
    assert unfollowed.json() == {"following": False}


def test_categories_are_public_and_only_admins_create_them(
    categories: dict[str, Category],
    api_client: APIClient,
    api_client_for: ClientFor,
    admin_user: User,
    instructor: User,
) -> None:
    listed = api_client.get("/api/v1/categories")
    assert [category["slug"] for category in listed.json()] == [
        "devops",
        "python",
        "javascript",
        "ai-ml",
        "data",
        "design",
        "career",
    ]

    refused = api_client_for(instructor).post(
        "/api/v1/categories", {"name": "Security"}, format="json"
    )
    assert refused.status_code == 403

    created = api_client_for(admin_user).post(
        "/api/v1/categories", {"name": "Security", "keywords": "owasp, xss"}, format="json"
    )
    duplicate = api_client_for(admin_user).post(
        "/api/v1/categories", {"name": "security"}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["slug"] == "security"
    assert duplicate.status_code == 400
    assert list(_error(duplicate)["fields"]) == ["name"]


def test_similar_questions_endpoint(question: Question, api_client: APIClient) -> None:
    response = api_client.get("/api/v1/questions/similar", {"title": "docker container exits"})

    assert [item["id"] for item in response.json()] == [question.pk]


# --- XP awards ------------------------------------------------------------------------------------


def test_only_the_asker_awards_xp_through_the_api(
    answer: Answer, asker: User, answerer: User, other_student: User, api_client_for: ClientFor
) -> None:
    from qa.tests.ledger import ledger_total

    url = f"/api/v1/answers/{answer.pk}/rate"

    refused = api_client_for(other_student).put(url, {"xp": 5}, format="json")
    out_of_range = api_client_for(asker).put(url, {"xp": 11}, format="json")
    missing = api_client_for(asker).put(url, {}, format="json")
    awarded = api_client_for(asker).put(url, {"xp": 6}, format="json")

    assert refused.status_code == 403
    assert _error(refused)["code"] == "not_asker"
    assert out_of_range.status_code == 400
    assert _error(out_of_range)["fields"] == {"xp": ["XP must be a whole number from 1 to 10."]}
    assert missing.status_code == 400
    assert list(_error(missing)["fields"]) == ["xp"]
    assert awarded.status_code == 200
    assert awarded.json()["xp"] == 6
    assert awarded.json()["recipient_id"] == answerer.pk
    assert ledger_total(answerer) == 6
    detail = api_client_for(asker).get(f"/api/v1/questions/{answer.question_id}").json()
    assert detail["answers"][0]["xp_awarded"] == 6


def test_xp_on_your_own_answer_is_403(
    question: Question, asker: User, api_client_for: ClientFor
) -> None:
    own = make_answer(question=question, author=asker)

    response = api_client_for(asker).put(
        f"/api/v1/answers/{own.pk}/rate", {"xp": 10}, format="json"
    )

    assert response.status_code == 403
    assert _error(response)["code"] == "own_content"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("asker", 409),
        ("student", 403),
        ("other_instructor", 403),
        ("course_instructor", 204),
        ("admin", 204),
    ],
)
def test_who_may_delete_an_answered_question(
    role: str, status: int, api_client_for: ClientFor, asker: User
) -> None:
    from courses.tests.factories import CourseFactory
    from qa.tests.factories import AdminFactory, InstructorFactory

    teacher = InstructorFactory()
    question = make_question(asker=asker, course=CourseFactory(instructors=[teacher]))
    make_answer(question=question)
    actor = {
        "asker": asker,
        "student": StudentFactory(),
        "other_instructor": InstructorFactory(),
        "course_instructor": teacher,
        "admin": AdminFactory(),
    }[role]

    response = api_client_for(actor).delete(f"/api/v1/questions/{question.pk}")

    assert response.status_code == status
    assert Question.objects.filter(pk=question.pk).exists() is (status != 204)
