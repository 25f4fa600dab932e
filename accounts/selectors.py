"""Reads of accounts, shaped for their callers so that a list cannot grow an N+1 query."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Case, Exists, OuterRef, QuerySet, Value, When

from accounts.models import TeacherApplication, User
from core.roles import STAFF_ROLES

# The attribute `request_user_with_totp` puts on a session request's user.
REQUEST_HAS_TOTP = "request_has_totp"


def request_user_with_totp(users: QuerySet[Any]) -> QuerySet[Any]:
    """settings.REQUEST_USER_LOADERS: whether a staff member has set up TOTP, which every page
    checks for instructors and admins (accounts.middleware); only staff rows look it up."""
    from allauth.mfa.models import Authenticator

    totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    return users.annotate(
        **{
            REQUEST_HAS_TOTP: Case(
                When(role__in=sorted(STAFF_ROLES), then=Exists(totp)),
                default=Value(False),
                output_field=BooleanField(),
            )
        }
    )


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
