from __future__ import annotations

from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from courses.tests.factories import InstructorFactory, StudentFactory
from notifications.tests.fake_push_service import FakePushService, vapid_keys


@pytest.fixture
def student(db: None) -> User:
    return StudentFactory()


@pytest.fixture
def other_student(db: None) -> User:
    return StudentFactory()


@pytest.fixture
def instructor(db: None, settings) -> User:  # type: ignore[no-untyped-def]
    settings.MFA_REQUIRED_FOR_STAFF = False
    return InstructorFactory()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def vapid(settings) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """A fresh VAPID key pair in the settings: push is on."""
    public, private = vapid_keys()
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_PRIVATE_KEY = private
    settings.VAPID_SUBJECT = "mailto:ops@lumen.test"
    return public, private


@pytest.fixture
def push_service() -> Iterator[FakePushService]:
    """A local push service that checks VAPID and decrypts what it receives."""
    with FakePushService() as service:
        yield service
