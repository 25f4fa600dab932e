"""Fixtures for the notifications tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import InstructorFactory, StudentFactory
from notifications.tests.fake_push_service import FakePushService, vapid_keys


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
def api(student: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(student)
    return client


@pytest.fixture
def vapid(settings) -> tuple[str, str]:
    public, private = vapid_keys()
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_PRIVATE_KEY = private
    settings.VAPID_SUBJECT = "mailto:ops@lumen.test"
    return public, private


@pytest.fixture
def push_service() -> Iterator[FakePushService]:
    with FakePushService() as service:
        yield service
