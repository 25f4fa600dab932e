"""Fixtures for the core tests: users of each role and an API client."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from core.roles import Role


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def make_user(db: None) -> Any:
    """Create a user with a role (core never imports accounts, so through the user model)."""
    user_model = get_user_model()

    def make(email: str = "sam@example.com", role: str = Role.STUDENT) -> Any:
        return user_model.objects.create_user(email=email, password="correct-horse-9", role=role)

    return make


@pytest.fixture
def student(make_user: Any) -> Any:
    return make_user("student@example.com", Role.STUDENT)


@pytest.fixture
def free_port() -> int:
    """A TCP port nothing listens on (the OS picked it; it is closed again at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
