"""Help center fixtures: the default categories, users of each role, a question with answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from qa import services
from qa.models import Answer, Category, Question
from qa.tests.factories import (
    AdminFactory,
    InstructorFactory,
    StudentFactory,
    make_answer,
    make_question,
)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the classifier's held-out accuracy (recorded by test_classifier) after the run,
    also when xdist workers ran the test."""
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get(
        "failed", []
    ):
        for name, value in getattr(report, "user_properties", []):
            if name == "classifier_report":
                terminalreporter.write_sep("-", "qa classifier on held-out questions")
                terminalreporter.write_line(value)


@pytest.fixture
def categories(db: None) -> dict[str, Category]:
    """The seven default categories, by slug."""
    return {category.slug: category for category in services.categories_ensure_defaults()}


@pytest.fixture
def asker(db: None) -> User:
    return StudentFactory(display_name="Asha Asker")


@pytest.fixture
def answerer(db: None) -> User:
    return StudentFactory(display_name="Ben Answerer")


@pytest.fixture
def other_student(db: None) -> User:
    return StudentFactory(display_name="Cleo Other")


@pytest.fixture
def instructor(db: None) -> User:
    return InstructorFactory()


@pytest.fixture
def admin_user(db: None) -> User:
    """Overrides pytest-django's: a Lumen admin (role, group, superuser)."""
    return AdminFactory()


@pytest.fixture
def question(asker: User, categories: dict[str, Category]) -> Question:
    return make_question(
        asker=asker,
        title="Docker container exits immediately after docker run",
        body="My image builds but the container stops with exit code 0. What is wrong?",
        category=categories["devops"],
    )


@pytest.fixture
def answer(question: Question, answerer: User) -> Answer:
    return make_answer(question=question, author=answerer, body="Run the server with exec.")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def api_client_for() -> Callable[[User], APIClient]:
    """An API client authenticated as the given user."""

    def make(user: User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def no_staff_mfa(settings: Any) -> None:
    """HTML pages for instructors and admins without setting up TOTP in every test."""
    settings.MFA_REQUIRED_FOR_STAFF = False


@pytest.fixture
def student(db: None) -> User:
    return StudentFactory()


@pytest.fixture(autouse=True)
def _tasks_run_in_process() -> Any:
    """Celery tasks run at once in the test process, also when REDIS_URL gives a real broker."""
    from lms.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
