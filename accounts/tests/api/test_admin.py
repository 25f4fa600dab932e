"""The admin's API: users (list, role, deactivate) and the review of applications to teach."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts import tokens
from accounts.models import TeacherApplication, User
from accounts.tests.factories import (
    AdminFactory,
    InstructorFactory,
    StudentFactory,
    TeacherApplicationFactory,
)

USERS = "/api/v1/admin/users"
APPLICATIONS = "/api/v1/admin/teacher-applications"


def role_url(user: User) -> str:
    return f"{USERS}/{user.pk}/role"


def deactivate_url(user: User) -> str:
    return f"{USERS}/{user.pk}/deactivate"


def review_url(application: TeacherApplication) -> str:
    return f"{APPLICATIONS}/{application.pk}/review"


def admin_view_of(user: User) -> dict:
    return {
        "id": user.pk,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "date_joined": user.date_joined.isoformat().replace("+00:00", "Z"),
        "last_login": None,
    }


def state_of(user: User) -> tuple:
    user.refresh_from_db()
    return (
        user.role,
        user.is_active,
        user.is_staff,
        user.is_superuser,
        list(user.groups.values_list("name", flat=True)),
    )


@pytest.fixture
def target(db: None) -> User:
    return StudentFactory(email="target@example.com")


@pytest.fixture
def application(target: User) -> TeacherApplication:
    return TeacherApplicationFactory(applicant=target)


def admin_requests(target: User, application: TeacherApplication) -> list[tuple[str, str, dict]]:
    return [
        ("get", USERS, {}),
        ("post", role_url(target), {"role": "admin"}),
        ("post", deactivate_url(target), {}),
        ("get", APPLICATIONS, {}),
        ("post", review_url(application), {"approve": True}),
    ]


@pytest.mark.parametrize("caller", ["student_client", "instructor_client"])
def test_students_and_instructors_get_403_on_admin_endpoints(
    request: pytest.FixtureRequest, caller: str, target: User, application: TeacherApplication
) -> None:
    client: APIClient = request.getfixturevalue(caller)
    before = state_of(target)

    for method, url, payload in admin_requests(target, application):
        response = getattr(client, method)(url, payload)
        assert response.status_code == 403, url
        assert response.json() == {
            "error": {
                "code": "permission_denied",
                "message": "This endpoint is for administrators.",
                "fields": {},
            }
        }

    assert state_of(target) == before
    application.refresh_from_db()
    assert application.status == "pending"


def test_anonymous_callers_get_401_on_admin_endpoints(
    api_client: APIClient, target: User, application: TeacherApplication
) -> None:
    before = state_of(target)

    for method, url, payload in admin_requests(target, application):
        response = getattr(api_client, method)(url, payload)
        assert response.status_code == 401, url
        assert response.json()["error"]["code"] == "not_authenticated"

    assert state_of(target) == before


def test_admin_promotes_a_student_to_instructor(
    admin_api_client: APIClient, admin_user: User, target: User
) -> None:
    assert state_of(target) == ("student", True, False, False, ["Students"])

    response = admin_api_client.post(role_url(target), {"role": "instructor"})

    assert response.status_code == 200
    assert state_of(target) == ("instructor", True, True, False, ["Instructors"])
    assert response.json() == admin_view_of(target)


def test_admin_makes_another_admin(admin_api_client: APIClient, target: User) -> None:
    response = admin_api_client.post(role_url(target), {"role": "admin"})

    assert response.status_code == 200
    assert state_of(target) == ("admin", True, True, True, ["Admins"])


def test_the_last_admin_cannot_be_demoted(admin_api_client: APIClient, admin_user: User) -> None:
    response = admin_api_client.post(role_url(admin_user), {"role": "student"})

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "last_admin",
            "message": "Lumen needs at least one active admin; promote another first.",
            "fields": {},
        }
    }
    assert state_of(admin_user) == ("admin", True, True, True, ["Admins"])


def test_role_must_be_a_known_role(admin_api_client: APIClient, target: User) -> None:
    response = admin_api_client.post(role_url(target), {"role": "overlord"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"role": ['"overlord" is not a valid choice.']}
    assert state_of(target)[0] == "student"


def test_unknown_user_is_a_404(admin_api_client: APIClient, db: None) -> None:
    response = admin_api_client.post(f"{USERS}/999999/role", {"role": "instructor"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_admin_deactivates_a_user_whose_tokens_then_fail(
    admin_api_client: APIClient, target: User
) -> None:
    pair = tokens.token_pair_issue(user=target)

    response = admin_api_client.post(deactivate_url(target))

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert state_of(target)[1] is False
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert client.get("/api/v1/users/profile").status_code == 401
    assert APIClient().post("/api/v1/auth/refresh", {"refresh": pair["refresh"]}).status_code == (
        401
    )


def test_an_admin_cannot_deactivate_themselves(
    admin_api_client: APIClient, admin_user: User
) -> None:
    response = admin_api_client.post(deactivate_url(admin_user))

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "cannot_deactivate_self",
        "message": "You cannot deactivate your own account.",
        "fields": {},
    }
    assert state_of(admin_user)[1] is True


def test_user_list_is_paginated_filtered_searched_and_ordered(
    admin_api_client: APIClient, admin_user: User
) -> None:
    ada = StudentFactory(email="ada@example.com", display_name="Ada")
    grace = InstructorFactory(email="grace@example.com", display_name="Grace")
    idle = StudentFactory(email="idle@example.com", display_name="Idle", is_active=False)

    everyone = admin_api_client.get(USERS, {"page_size": 2})
    students = admin_api_client.get(USERS, {"role": "student"})
    inactive = admin_api_client.get(USERS, {"is_active": "false"})
    searched = admin_api_client.get(USERS, {"search": "grac"})
    ordered = admin_api_client.get(USERS, {"ordering": "-email"})

    assert everyone.status_code == 200
    body = everyone.json()
    assert body["count"] == 4
    assert body["previous"] is None
    assert body["next"] == "http://testserver/api/v1/admin/users?page=2&page_size=2"
    assert body["results"] == [admin_view_of(admin_user), admin_view_of(ada)]
    assert [u["email"] for u in students.json()["results"]] == [ada.email, idle.email]
    assert [u["email"] for u in inactive.json()["results"]] == [idle.email]
    assert [u["email"] for u in searched.json()["results"]] == [grace.email]
    assert [u["email"] for u in ordered.json()["results"]] == sorted(
        [idle.email, grace.email, ada.email, admin_user.email], reverse=True
    )


def test_user_list_refuses_an_unknown_role_filter(admin_api_client: APIClient) -> None:
    response = admin_api_client.get(USERS, {"role": "overlord"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert list(response.json()["error"]["fields"]) == ["role"]


@pytest.mark.parametrize("query", ["is_active=null", "is_active=true&is_active=false", "role="])
def test_user_list_refuses_filters_the_schema_does_not_allow(
    admin_api_client: APIClient, query: str
) -> None:
    response = admin_api_client.get(f"{USERS}?{query}")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [query.split("=")[0]]


def test_user_list_query_budget(
    api_client_for: Callable[[User], APIClient], django_assert_max_num_queries, db: None
) -> None:
    admin = AdminFactory()
    StudentFactory.create_batch(4)
    InstructorFactory.create_batch(2)
    client = api_client_for(admin)

    # the token's user, the count, the page
    with django_assert_max_num_queries(3):
        response = client.get(USERS)

    assert response.json()["count"] == 7


def test_application_list_filters_by_status(
    admin_api_client: APIClient, admin_user: User, application: TeacherApplication
) -> None:
    rejected = TeacherApplicationFactory(
        status=TeacherApplication.Status.REJECTED, reviewed_by=admin_user
    )

    pending = admin_api_client.get(APPLICATIONS, {"status": "pending"})
    everything = admin_api_client.get(APPLICATIONS)

    assert [a["id"] for a in pending.json()["results"]] == [application.pk]
    assert pending.json()["results"][0]["applicant"] == {
        "id": application.applicant.pk,
        "email": "target@example.com",
        "display_name": application.applicant.display_name,
    }
    assert pending.json()["results"][0]["reviewed_by"] is None
    assert [a["id"] for a in everything.json()["results"]] == [rejected.pk, application.pk]
    assert everything.json()["results"][0]["reviewed_by"]["id"] == admin_user.pk


def test_application_list_query_budget(
    api_client_for: Callable[[User], APIClient], django_assert_max_num_queries, db: None
) -> None:
    admin = AdminFactory()
    TeacherApplicationFactory.create_batch(3)
    TeacherApplicationFactory.create_batch(3, status="approved", reviewed_by=admin)
    client = api_client_for(admin)

    # the token's user, the count, the page with applicants and reviewers joined
    with django_assert_max_num_queries(3):
        response = client.get(APPLICATIONS)

    assert response.json()["count"] == 6


def test_approving_makes_the_applicant_an_instructor(
    admin_api_client: APIClient, admin_user: User, application: TeacherApplication
) -> None:
    response = admin_api_client.post(
        review_url(application), {"approve": True, "note": "Welcome aboard."}
    )

    assert response.status_code == 200
    application.refresh_from_db()
    assert (application.status, application.reviewed_by, application.review_note) == (
        "approved",
        admin_user,
        "Welcome aboard.",
    )
    assert response.json()["status"] == "approved"
    assert response.json()["reviewed_by"]["id"] == admin_user.pk
    assert state_of(application.applicant) == ("instructor", True, True, False, ["Instructors"])


def test_rejecting_keeps_the_applicant_a_student(
    admin_api_client: APIClient, application: TeacherApplication
) -> None:
    response = admin_api_client.post(review_url(application), {"approve": False})

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["review_note"] == ""
    assert state_of(application.applicant)[0] == "student"


def test_an_application_is_reviewed_once(
    admin_api_client: APIClient, application: TeacherApplication
) -> None:
    assert admin_api_client.post(review_url(application), {"approve": False}).status_code == 200

    response = admin_api_client.post(review_url(application), {"approve": True})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "application_reviewed"
    application.refresh_from_db()
    assert application.status == "rejected"
    assert state_of(application.applicant)[0] == "student"


def test_review_needs_a_decision(
    admin_api_client: APIClient, application: TeacherApplication
) -> None:
    response = admin_api_client.post(review_url(application), {"note": "Hmm"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"approve": ["This field is required."]}
    application.refresh_from_db()
    assert application.status == "pending"
