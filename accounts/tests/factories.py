"""Test data for accounts: users of each role (made by the real service) and applications."""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from accounts import services
from accounts.models import TeacherApplication, User
from core.roles import Role

# Every factory user has this password unless told otherwise.
DEFAULT_PASSWORD = "a-long-test-passphrase-42"


class UserFactory(DjangoModelFactory):
    """A user made by accounts.services.user_create, so role, staff flag and group are right.

    Pass `is_active=False` for a deactivated account.
    """

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    display_name = factory.Sequence(lambda n: f"User {n}")
    password = DEFAULT_PASSWORD
    role = Role.STUDENT

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        is_active = kwargs.pop("is_active", True)
        user = services.user_create(**kwargs)
        if not is_active:
            user = services.user_deactivate(user=user)
        return user


class StudentFactory(UserFactory):
    email = factory.Sequence(lambda n: f"student{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Student {n}")
    role = Role.STUDENT


class InstructorFactory(UserFactory):
    email = factory.Sequence(lambda n: f"instructor{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Instructor {n}")
    role = Role.INSTRUCTOR


class AdminFactory(UserFactory):
    email = factory.Sequence(lambda n: f"admin{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Admin {n}")
    role = Role.ADMIN


class TeacherApplicationFactory(DjangoModelFactory):
    """A pending application by a new student (set status/reviewer for a reviewed one)."""

    class Meta:
        model = TeacherApplication

    applicant = factory.SubFactory(StudentFactory)
    expertise = factory.Sequence(lambda n: f"Subject {n}")
    motivation = "I have taught evening classes for years."
