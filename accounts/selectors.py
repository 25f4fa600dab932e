"""Reads of accounts, shaped for their callers so that a list cannot grow an N+1 query."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import TeacherApplication, User


def user_list() -> QuerySet[User]:
    """Every user, active or not, in id order: the admin's user list."""
    return User.objects.order_by("id")


def teacher_application_list(*, applicant: User | None = None) -> QuerySet[TeacherApplication]:
    """Applications to teach, newest first, applicant and reviewer loaded; or one applicant's."""
    applications = TeacherApplication.objects.select_related("applicant", "reviewed_by").order_by(
        "-created_at", "-id"
    )
    if applicant is not None:
        applications = applications.filter(applicant=applicant)
    return applications
