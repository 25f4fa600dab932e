"""Errors of notifications' rules."""

from __future__ import annotations

from core.exceptions import ApplicationError, NotFoundError


class InstructorNotFoundError(NotFoundError):
    default_code = "instructor_not_found"


class CannotFollowSelfError(ApplicationError):
    default_code = "cannot_follow_self"
