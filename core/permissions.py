"""Per-role permission classes for the API: the one module every API view takes them from."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from core.roles import Role


def user_has_role(user: Any, *roles: str) -> bool:
    """True when the user is signed in, active and holds one of the roles."""
    return bool(user and user.is_authenticated and user.is_active and user.role in roles)


class IsStudent(BasePermission):
    message = "This endpoint is for students."

    def has_permission(self, request: Request, view: Any) -> bool:
        return user_has_role(request.user, Role.STUDENT)


class IsInstructor(BasePermission):
    """Instructors and admins (admins can do everything an instructor can)."""

    message = "This endpoint is for instructors."

    def has_permission(self, request: Request, view: Any) -> bool:
        return user_has_role(request.user, Role.INSTRUCTOR, Role.ADMIN)


class IsAdmin(BasePermission):
    message = "This endpoint is for administrators."

    def has_permission(self, request: Request, view: Any) -> bool:
        return user_has_role(request.user, Role.ADMIN)
