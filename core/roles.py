"""The three roles and the Django groups they map to.

The admin, the HTML views and the API all ask `user.role` (or the group's permissions) the same
way; `accounts.services.user_set_role` is the one place that changes a role.
"""

from django.db import models


class Role(models.TextChoices):
    STUDENT = "student", "Student"
    INSTRUCTOR = "instructor", "Instructor"
    ADMIN = "admin", "Admin"


ROLE_GROUP_NAMES: dict[str, str] = {
    Role.STUDENT: "Students",
    Role.INSTRUCTOR: "Instructors",
    Role.ADMIN: "Admins",
}

# Roles that get staff access to the Django admin (and therefore need two-factor authentication).
STAFF_ROLES = frozenset({Role.INSTRUCTOR, Role.ADMIN})
