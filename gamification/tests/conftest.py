"""Fixtures for the gamification tests."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from courses.tests.factories import AdminFactory, InstructorFactory, StudentFactory


@pytest.fixture
def student(db: None) -> User:
    return StudentFactory()


@pytest.fixture
def other_student(db: None) -> User:
    return StudentFactory()


@pytest.fixture
def instructor(db: None) -> User:
    return InstructorFactory()


@pytest.fixture
def admin_user(db: None) -> User:
    return AdminFactory()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def award(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """xp_award with its after-commit work (Redis boards, achievements) really run."""
    from gamification import services

    def _award(**kwargs):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return services.xp_award(**kwargs)

    return _award
