"""The learning mode and desired retention in the accounts profile API (remembered per user,
the same setting as /api/v1/learning/preferences and the preferences page)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from learning import services
from learning.models import LearningPreference

pytestmark = pytest.mark.django_db

PROFILE = "/api/v1/users/profile"


def _api(user: User) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_profile_shows_the_learning_mode_and_retention(
    student: User, django_assert_max_num_queries: Any
) -> None:
    api = _api(student)
    assert api.get(PROFILE).json()["learning"] == {
        "mode": "standard",
        "desired_retention": 0.9,
        "course_modes": [],
    }
    assert not LearningPreference.objects.exists()  # reading saves nothing

    services.preference_update(user=student, mode="relax", desired_retention=0.85)
    with django_assert_max_num_queries(3):
        body = api.get(PROFILE).json()
    assert body["learning"] == {"mode": "relax", "desired_retention": 0.85, "course_modes": []}


def test_patching_the_profile_changes_them_for_that_user_only(
    student: User, other_student: User
) -> None:
    response = _api(student).patch(
        PROFILE,
        {"bio": "Night owl", "learning": {"mode": "binge", "desired_retention": 0.8}},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["learning"] == {
        "mode": "binge",
        "desired_retention": 0.8,
        "course_modes": [],
    }
    assert response.json()["bio"] == "Night owl"
    assert _api(student).get("/api/v1/learning/preferences").json()["mode"] == "binge"
    assert _api(other_student).get(PROFILE).json()["learning"]["mode"] == "standard"
    # Only the retention: the mode is kept.
    _api(student).patch(PROFILE, {"learning": {"desired_retention": 0.95}}, format="json")
    preference = LearningPreference.objects.get(user=student)
    assert (preference.mode, preference.desired_retention) == ("binge", 0.95)


@pytest.mark.parametrize(
    ("learning", "field"),
    [
        ({"mode": "turbo"}, "mode"),
        ({"desired_retention": 0.5}, "desired_retention"),
        ({"desired_retention": "lots"}, "desired_retention"),
    ],
)
def test_bad_learning_settings_are_refused_and_nothing_changes(
    student: User, learning: dict[str, Any], field: str
) -> None:
    services.preference_update(user=student, mode="relax")

    response = _api(student).patch(PROFILE, {"bio": "changed", "learning": learning}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "learning" in str(response.json()["error"]["fields"])
    assert field in str(response.json()["error"]["fields"])
    student.refresh_from_db()
    assert student.bio != "changed"
    preference = LearningPreference.objects.get(user=student)
    assert (preference.mode, preference.desired_retention) == ("relax", 0.9)


def test_a_profile_put_without_the_learning_section_keeps_it(student: User) -> None:
    services.preference_update(user=student, mode="challenge")
    full = {"display_name": "Ada", "time_zone": "UTC", "bio": "", "theme": "dark"}

    response = _api(student).put(PROFILE, full, format="json")

    assert response.status_code == 200
    assert response.json()["learning"]["mode"] == "challenge"


def test_the_profile_shows_the_modes_chosen_per_course_in_a_fixed_number_of_queries(
    student: User, django_assert_max_num_queries: Any
) -> None:
    from courses.tests.factories import CourseFactory

    services.preference_update(user=student, mode="relax")
    tides = CourseFactory(title="Tides")
    algebra = CourseFactory(title="Algebra")
    services.course_mode_set(user=student, course=tides, mode="binge")
    services.course_mode_set(user=student, course=algebra, mode="challenge")
    api = _api(student)

    with django_assert_max_num_queries(3):
        two = api.get(PROFILE).json()["learning"]
    for index in range(5):
        services.course_mode_set(
            user=student, course=CourseFactory(title=f"Z{index}"), mode="relax"
        )
    with django_assert_max_num_queries(3):
        seven = api.get(PROFILE).json()["learning"]

    assert two["mode"] == "relax"
    assert two["course_modes"] == [
        {"course_id": algebra.pk, "course_title": "Algebra", "mode": "challenge"},
        {"course_id": tides.pk, "course_title": "Tides", "mode": "binge"},
    ]
    assert len(seven["course_modes"]) == 7


def test_patching_the_profile_chooses_and_clears_course_modes(student: User) -> None:
    from courses.tests.factories import CourseFactory
    from learning import selectors

    tides, algebra = CourseFactory(title="Tides"), CourseFactory(title="Algebra")
    services.course_mode_set(user=student, course=algebra, mode="challenge")

    response = _api(student).patch(
        PROFILE,
        {
            "learning": {
                "course_modes": [
                    {"course_id": tides.pk, "mode": "binge"},
                    {"course_id": algebra.pk, "mode": None},
                ]
            }
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["learning"]["course_modes"] == [
        {"course_id": tides.pk, "course_title": "Tides", "mode": "binge"}
    ]
    assert selectors.mode_for(user=student, course_id=tides.pk) == "binge"
    assert selectors.mode_for(user=student, course_id=algebra.pk) == "standard"


@pytest.mark.parametrize(
    ("course_modes", "message"),
    [
        ([{"course_id": 999999, "mode": "relax"}], "Course 999999 is not a published course."),
        ([{"course_id": "x", "mode": "relax"}], "Give a whole number (a JSON number)."),
        ([{"course_id": 1, "mode": "turbo"}], '"turbo" is not a valid choice.'),
        ([{"mode": "relax"}], "This field is required."),
        ([{"course_id": 1}], "This field is required."),
    ],
)
def test_bad_course_modes_are_refused_and_nothing_changes(
    student: User, course_modes: list[dict[str, Any]], message: str
) -> None:
    from courses.tests.factories import CourseFactory
    from learning.models import CourseModePreference

    course = CourseFactory(title="Tides")
    services.course_mode_set(user=student, course=course, mode="binge")
    if course_modes[0].get("course_id") == 1:
        course_modes = [{**course_modes[0], "course_id": course.pk}]

    response = _api(student).patch(
        PROFILE,
        {"bio": "changed", "learning": {"mode": "relax", "course_modes": course_modes}},
        format="json",
    )

    assert response.status_code == 400
    assert message in str(response.json()["error"])
    student.refresh_from_db()
    assert student.bio != "changed"
    assert list(CourseModePreference.objects.values_list("course_id", "mode")) == [
        (course.pk, "binge")
    ]
    assert not LearningPreference.objects.filter(user=student).exists()  # the mode was not saved
