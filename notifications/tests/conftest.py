from __future__ import annotations

import pytest

from accounts.models import User
from courses.tests.factories import StudentFactory


@pytest.fixture
def student(db: None) -> User:
    return StudentFactory()


@pytest.fixture
def other_student(db: None) -> User:
    return StudentFactory()
