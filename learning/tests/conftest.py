"""Fixtures for the learning tests: a learner enrolled in a course with a quiz lesson."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from courses.models import Course, Quiz
from courses.services import enrollment_create
from courses.tests.factories import StudentFactory, course_with_outline, quiz_lesson


@pytest.fixture
def learner(db: None) -> User:
    return StudentFactory()


@pytest.fixture
def other_learner(db: None) -> User:
    return StudentFactory()


@pytest.fixture
def course(db: None) -> Course:
    return course_with_outline(title="Spaced practice")


@pytest.fixture
def quiz(course: Course) -> Quiz:
    return quiz_lesson(course.modules.get(order=2), order=3, questions=3)


@pytest.fixture
def enrolled(learner: User, course: Course) -> User:
    enrollment_create(learner=learner, course=course)
    return learner


@pytest.fixture
def client_for() -> Callable[[User], APIClient]:
    def make(user: User) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
