"""Fixtures for the courses tests: users per role, API clients, a course with an outline."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from courses import entitlements
from courses.models import Course
from courses.tests.factories import (
    AdminFactory,
    InstructorFactory,
    StudentFactory,
    course_with_outline,
)


@pytest.fixture(autouse=True)
def _default_entitlements() -> Iterator[None]:
    """Every test starts (and ends) with the default entitlement rules."""
    entitlements.reset_provider()
    yield
    entitlements.reset_provider()


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
def other_instructor(db: None) -> User:
    return InstructorFactory()


@pytest.fixture
def admin_user(db: None) -> User:
    return AdminFactory()


@pytest.fixture
def course(instructor: User) -> Course:
    """Published, free, taught by `instructor`: 2 modules of 2 article lessons."""
    return course_with_outline(instructors=[instructor], title="Pandas in practice")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for() -> Callable[[User], APIClient]:
    def make(user: User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
