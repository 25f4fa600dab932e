from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from courses.tests.factories import AdminFactory, InstructorFactory, StudentFactory


@pytest.fixture
def instructor(db):
    return InstructorFactory()


@pytest.fixture
def other_instructor(db):
    return InstructorFactory()


@pytest.fixture
def student(db):
    return StudentFactory()


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def client_for() -> Callable:
    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def html_client_for(client, settings) -> Callable:
    settings.MFA_REQUIRED_FOR_STAFF = False

    def make(user):
        client.force_login(user)
        return client

    return make
