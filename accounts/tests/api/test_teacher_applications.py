"""Applications to teach, from the applicant's side: apply (students only) and list one's own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import TeacherApplication, User
from accounts.tests.factories import StudentFactory, TeacherApplicationFactory

APPLICATIONS = "/api/v1/teacher-applications"
APPLY = {"expertise": "Observational astronomy", "motivation": "I run evening classes."}


def test_a_student_applies(student_client: APIClient, student: User) -> None:
    response = student_client.post(APPLICATIONS, APPLY)

    assert response.status_code == 201
    application = TeacherApplication.objects.get()
    assert (application.applicant, application.status) == (student, "pending")
    assert response.json() == {
        "id": application.pk,
        "expertise": "Observational astronomy",
        "motivation": "I run evening classes.",
        "status": "pending",
        "created_at": application.created_at.isoformat().replace("+00:00", "Z"),
        "reviewed_at": None,
        "review_note": "",
    }


def test_one_pending_application_at_a_time(student_client: APIClient, student: User) -> None:
    assert student_client.post(APPLICATIONS, APPLY).status_code == 201

    response = student_client.post(APPLICATIONS, {**APPLY, "expertise": "Optics"})

    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "code": "application_pending",
            "message": "You already have an application under review.",
            "fields": {},
        }
    }
    assert list(TeacherApplication.objects.values_list("expertise", flat=True)) == [
        "Observational astronomy"
    ]


def test_a_student_may_apply_again_after_a_rejection(
    student_client: APIClient, student: User
) -> None:
    TeacherApplicationFactory(applicant=student, status=TeacherApplication.Status.REJECTED)

    response = student_client.post(APPLICATIONS, APPLY)

    assert response.status_code == 201
    assert TeacherApplication.objects.filter(applicant=student).count() == 2


def test_instructors_and_admins_cannot_apply(
    instructor_client: APIClient, admin_api_client: APIClient
) -> None:
    for client in (instructor_client, admin_api_client):
        response = client.post(APPLICATIONS, APPLY)
        assert response.status_code == 403
        assert response.json() == {
            "error": {
                "code": "permission_denied",
                "message": "This endpoint is for students.",
                "fields": {},
            }
        }
    assert not TeacherApplication.objects.exists()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        (
            {"expertise": "   ", "motivation": "x"},
            {"expertise": ["This field may not be blank."]},
        ),
        (
            {"expertise": "x" * 201, "motivation": "x"},
            {"expertise": ["Ensure this field has no more than 200 characters."]},
        ),
        ({"expertise": "Optics"}, {"motivation": ["This field is required."]}),
    ],
)
def test_bad_applications_are_refused(
    student_client: APIClient, payload: dict, fields: dict
) -> None:
    response = student_client.post(APPLICATIONS, payload)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert response.json()["error"]["fields"] == fields
    assert not TeacherApplication.objects.exists()


def test_the_list_shows_only_the_callers_applications_newest_first(
    student_client: APIClient, student: User
) -> None:
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=2)):
        older = TeacherApplicationFactory(
            applicant=student, status=TeacherApplication.Status.REJECTED
        )
    newer = TeacherApplicationFactory(applicant=student)
    TeacherApplicationFactory()  # someone else's

    response = student_client.get(APPLICATIONS)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    assert [item["id"] for item in body["results"]] == [newer.pk, older.pk]
    assert [item["status"] for item in body["results"]] == ["pending", "rejected"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_callers_get_401(api_client: APIClient, db: None, method: str) -> None:
    response = getattr(api_client, method)(APPLICATIONS, APPLY)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert not TeacherApplication.objects.exists()


def test_list_query_budget(
    api_client_for: Callable[[User], APIClient], django_assert_max_num_queries, db: None
) -> None:
    student = StudentFactory()
    for status in ("rejected", "rejected", "rejected", "approved"):
        TeacherApplicationFactory(applicant=student, status=status)
    TeacherApplicationFactory(applicant=student)
    client = api_client_for(student)

    # the token's user, the count, the page
    with django_assert_max_num_queries(3):
        response = client.get(APPLICATIONS)

    assert response.json()["count"] == 5
