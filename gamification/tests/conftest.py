"""Gamification fixtures: learners in set time zones, a course per difficulty, API clients."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from courses.models import Course
from courses.tests.factories import (
    AdminFactory,
    InstructorFactory,
    StudentFactory,
    course_with_outline,
)


@pytest.fixture
def learner(db: None) -> User:
    return StudentFactory(time_zone="UTC", display_name="Lena Learner")


@pytest.fixture
def other_learner(db: None) -> User:
    return StudentFactory(time_zone="UTC", display_name="Omar Other")


@pytest.fixture
def instructor(db: None) -> User:
    return InstructorFactory()


@pytest.fixture
def admin_user(db: None) -> User:
    return AdminFactory()


@pytest.fixture
def course(db: None, instructor: User) -> Course:
    return course_with_outline(modules=1, lessons_per_module=3, instructors=[instructor])


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def redis_settings(tmp_path: Path, settings) -> Iterator[str]:
    """Leaderboards on a real Redis (REDIS_URL, or a redis-server of the test's own)."""
    from tests.integration.servers import redis_url_for_test

    with redis_url_for_test(tmp_path) as url:
        settings.REDIS_URL = url
        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": settings.CACHE_KEY_PREFIX,
                "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
            }
        }
        yield url
