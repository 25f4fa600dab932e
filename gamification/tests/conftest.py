"""Fixtures for the gamification tests."""

from __future__ import annotations

import os

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


def redis_client():  # type: ignore[no-untyped-def]
    """A client of the real Redis (REDIS_URL, else the local default), or None if none answers."""
    import redis

    client = redis.Redis.from_url(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1")
    try:
        client.ping()
    except redis.RedisError:
        return None
    return client


@pytest.fixture
def award(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """xp_award with its after-commit work (Redis boards, achievements) really run."""
    from gamification import services

    def _award(**kwargs):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return services.xp_award(**kwargs)

    return _award
