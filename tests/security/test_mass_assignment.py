"""No mass assignment: the sign-up, profile and settings forms (and the profile API) ignore posted
role, staff and superuser flags, XP, level, reputation, e-mail and activity fields; only the
fields each form names change."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import TeacherApplication, User
from accounts.tests.factories import StudentFactory
from gamification.models import LearnerStats
from qa.models import UserReputation

HOSTILE = {
    "role": "admin",
    "is_staff": "on",
    "is_superuser": "on",
    "is_active": "on",
    "groups": "1",
    "user_permissions": "1",
    "email": "taken-over@example.com",
    "password": "pbkdf2_sha256$1$x$y",
    "password_changed_at": "2000-01-01T00:00:00Z",
    "date_joined": "2000-01-01T00:00:00Z",
    "xp": "99999",
    "total_xp": "99999",
    "level": "50",
    "league_tier": "10",
    "streak_freezes": "9",
    "points": "99999",
    "reputation": "99999",
    "status": "approved",
    "reviewed_by": "1",
}


def privileged_state(user: User) -> dict[str, Any]:
    user = User.objects.get(pk=user.pk)
    stats = LearnerStats.objects.filter(user=user).first()
    reputation = UserReputation.objects.filter(user=user).first()
    return {
        "role": user.role,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "is_active": user.is_active,
        "email": user.email,
        "password": user.password,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": list(user.user_permissions.all()),
        # A settings page may create the row with its defaults, never with posted values.
        "xp": (stats.total_xp, stats.level, stats.league_tier) if stats else (0, 1, 1),
        "reputation": reputation.points if reputation else None,
    }


@pytest.fixture
def learner(db: None) -> User:
    return StudentFactory()


@pytest.fixture
def browser(learner: User) -> Client:
    client = Client()
    client.force_login(learner)
    return client


FORMS = {
    "profile": (
        "profile",
        {"display_name": "Renamed", "time_zone": "UTC", "theme": "dark", "bio": "Hi"},
    ),
    "theme": ("theme_set", {"theme": "dark"}),
    "learning preferences": (
        "learning:preferences",
        {
            "mode": "relax",
            "desired_retention": "0.9",
            "relax_interval_minutes": "25",
            "binge_countdown_seconds": "10",
        },
    ),
    "notification preferences": ("notifications:preferences", {"answer_posted:in_app": "on"}),
    "leaderboard visibility": ("gamification:visibility", {"hidden": "true"}),
    "learning mode": ("learning:default-mode", {"mode": "binge"}),
    "Q&A digest": ("qa:following", {"frequency": "weekly"}),
}


@pytest.mark.parametrize("form", FORMS)
def test_settings_forms_ignore_privileged_fields(browser: Client, learner: User, form: str) -> None:
    url_name, fields = FORMS[form]
    before = privileged_state(learner)

    response = browser.post(reverse(url_name), {**fields, **HOSTILE})

    assert response.status_code in {200, 302}, response.status_code
    assert privileged_state(learner) == before


def test_the_profile_form_saves_only_its_own_fields(browser: Client, learner: User) -> None:
    browser.post(
        reverse("profile"),
        {"display_name": "Renamed", "time_zone": "Europe/Paris", "theme": "dark", **HOSTILE},
    )

    learner.refresh_from_db()
    assert (learner.display_name, learner.time_zone, learner.theme) == (
        "Renamed",
        "Europe/Paris",
        "dark",
    )
    assert (learner.role, learner.is_staff, learner.is_superuser) == ("student", False, False)


def test_the_application_to_teach_cannot_approve_itself(browser: Client, learner: User) -> None:
    browser.post(reverse("teach"), {"expertise": "Tides", "motivation": "I sail.", **HOSTILE})

    application = TeacherApplication.objects.get(applicant=learner)
    assert (application.status, application.reviewed_by) == ("pending", None)
    assert privileged_state(learner)["role"] == "student"


@pytest.mark.django_db
def test_sign_up_always_makes_a_plain_student() -> None:
    response = Client().post(
        reverse("account_signup"),
        {
            "email": "newcomer@example.com",
            "password1": "a-brand-new-passphrase-77",
            "password2": "a-brand-new-passphrase-77",
            "display_name": "Newcomer",
            **{key: value for key, value in HOSTILE.items() if key not in {"email", "password"}},
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.com")
    assert privileged_state(user) | {"password": "-"} == {
        "role": "student",
        "is_staff": False,
        "is_superuser": False,
        "is_active": True,
        "email": "newcomer@example.com",
        "password": "-",
        "groups": ["Students"],
        "permissions": [],
        "xp": (0, 1, 1),
        "reputation": None,
    }


def test_the_profile_api_ignores_privileged_fields(learner: User) -> None:
    client = APIClient()
    client.force_authenticate(learner)
    before = privileged_state(learner)

    response = client.patch(
        "/api/v1/users/profile",
        {"display_name": "Renamed", **HOSTILE, "is_staff": True, "is_superuser": True},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["role"] == "student"
    assert privileged_state(learner) == before
