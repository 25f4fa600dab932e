"""Shared accounts fixtures: a user per role and API clients signed in with real JWTs."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts import tokens
from accounts.models import User
from accounts.tests.factories import AdminFactory, InstructorFactory, StudentFactory


@pytest.fixture
def api_client() -> APIClient:
    """An anonymous API client."""
    return APIClient()


@pytest.fixture
def api_client_for() -> Callable[[User], APIClient]:
    """Make an API client that sends a freshly issued access token of the given user."""

    def make(user: User) -> APIClient:
        client = APIClient()
        access = tokens.token_pair_issue(user=user)["access"]
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        return client

    return make


@pytest.fixture
def student(db: None) -> User:
    return StudentFactory()


@pytest.fixture
def instructor(db: None) -> User:
    return InstructorFactory()


@pytest.fixture
def admin_user(db: None) -> User:
    """Overrides pytest-django's: an admin made like every Lumen admin (role, group, superuser)."""
    return AdminFactory()


@pytest.fixture
def student_client(student: User, api_client_for: Callable[[User], APIClient]) -> APIClient:
    return api_client_for(student)


@pytest.fixture
def instructor_client(instructor: User, api_client_for: Callable[[User], APIClient]) -> APIClient:
    return api_client_for(instructor)


@pytest.fixture
def admin_api_client(admin_user: User, api_client_for: Callable[[User], APIClient]) -> APIClient:
    return api_client_for(admin_user)
