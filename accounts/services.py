"""Writes to accounts: registration, roles, profiles and applications to teach."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import audit
from accounts.exceptions import (
    AlreadyInstructorError,
    ApplicationAlreadyPendingError,
    ApplicationAlreadyReviewedError,
    LastAdminError,
)
from accounts.models import AuditEntry, TeacherApplication, User
from accounts.roles import ROLE_PERMISSIONS
from core.exceptions import ApplicationError
from core.roles import ROLE_GROUP_NAMES, STAFF_ROLES, Role

PROFILE_FIELDS = frozenset({"display_name", "avatar", "time_zone", "bio", "theme"})


def role_groups_sync() -> dict[str, Group]:
    """Create each role's group and give it exactly the permissions of ROLE_PERMISSIONS."""
    wanted = {
        role: [tuple(dotted.split(".", 1)) for dotted in ROLE_PERMISSIONS.get(role, [])]
        for role in ROLE_GROUP_NAMES
    }
    codenames = {codename for pairs in wanted.values() for _, codename in pairs}
    existing: dict[tuple[str, str], list[Permission]] = {}
    for permission in Permission.objects.filter(codename__in=codenames).select_related(
        "content_type"
    ):
        key = (permission.content_type.app_label, permission.codename)
        existing.setdefault(key, []).append(permission)
    groups: dict[str, Group] = {}
    for role, group_name in ROLE_GROUP_NAMES.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.set([p for pair in wanted[role] for p in existing.get(pair, [])])
        groups[role] = group
    return groups


def _apply_role(user: User, role: str) -> None:
    """Set the role and everything that follows from it: staff flag, superuser flag, group."""
    user.role = role
    user.is_staff = role in STAFF_ROLES
    user.is_superuser = role == Role.ADMIN
    group, _ = Group.objects.get_or_create(name=ROLE_GROUP_NAMES[role])
    user.groups.remove(*Group.objects.filter(name__in=ROLE_GROUP_NAMES.values()))
    user.groups.add(group)


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    role: str = Role.STUDENT,
    display_name: str = "",
    **profile: Any,
) -> User:
    """Create a user with a role; self-registration always passes the student role."""
    user = User(email=User.objects.normalize_email(email).lower(), display_name=display_name)
    for field, value in profile.items():
        if field not in PROFILE_FIELDS:
            raise TypeError(f"{field} is not a profile field")
        setattr(user, field, value)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    _apply_role(user, role)
    user.save(update_fields=["role", "is_staff", "is_superuser"])
    return user


@transaction.atomic
def user_register(*, email: str, password: str, display_name: str = "") -> User:
    """Self-registration: always a student, a new email (any case), a password Django accepts.

    The address is recorded unverified as the user's primary email, so the caller can send the
    verification mail (allauth's) and the browser sign-in treats it like any other sign-up.
    """
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise _email_taken_error()
    try:
        validate_password(password, user=User(email=email, display_name=display_name))
    except ValidationError as error:
        raise _field_error("password", error.messages) from error
    try:
        with transaction.atomic():
            user = user_create(
                email=email, password=password, role=Role.STUDENT, display_name=display_name
            )
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
            return user
    except IntegrityError as error:  # registered at the same moment by another request
        raise _email_taken_error() from error


@transaction.atomic
def user_password_change(*, user: User, old_password: str, new_password: str) -> User:
    """Change a password after checking the current one; every token issued before is refused."""
    if not user.check_password(old_password):
        raise _field_error("old_password", ["Your current password is not correct."])
    try:
        validate_password(new_password, user=user)
    except ValidationError as error:
        raise _field_error("new_password", error.messages) from error
    user.set_password(new_password)
    user.save(update_fields=["password", "password_changed_at"])
    return user


def _field_error(field: str, messages: list[str]) -> ApplicationError:
    return ApplicationError(messages[0], code="validation_error", fields={field: messages})


def _email_taken_error() -> ApplicationError:
    return _field_error("email", ["An account with this email address already exists."])


@transaction.atomic
def user_set_role(*, user: User, role: str, changed_by: User | None = None) -> User:
    """Change a user's role; the last active admin cannot be demoted."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.role == role:
        return user
    if user.role == Role.ADMIN and role != Role.ADMIN:
        other_admins = User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk)
        if not other_admins.exists():
            raise LastAdminError("Lumen needs at least one active admin; promote another first.")
    previous = user.role
    _apply_role(user, role)
    user.save(update_fields=["role", "is_staff", "is_superuser"])
    audit.audit_record(
        actor=changed_by,
        action=AuditEntry.Action.ROLE_CHANGE,
        target=user,
        target_repr=user.email,
        changes={"role": [previous, role]},
    )
    return user


@transaction.atomic
def user_profile_update(*, user: User, data: dict[str, Any]) -> User:
    """Update the editable profile fields (validated by the model) of one user."""
    unknown = set(data) - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"not profile fields: {sorted(unknown)}")
    for field, value in data.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password"])
    if data:
        user.save(update_fields=list(data))
    return user


@transaction.atomic
def user_deactivate(*, user: User, deactivated_by: User | None = None) -> User:
    """Deactivate an account (no sign-in, tokens refused); nobody can deactivate themselves."""
    if deactivated_by is not None and deactivated_by.pk == user.pk:
        raise ApplicationError(
            "You cannot deactivate your own account.", code="cannot_deactivate_self"
        )
    was_active = user.is_active
    user.is_active = False
    user.save(update_fields=["is_active"])
    if was_active:
        audit.audit_record(
            actor=deactivated_by,
            action=AuditEntry.Action.USER_DEACTIVATE,
            target=user,
            target_repr=user.email,
            changes={"is_active": [True, False]},
        )
    return user


@transaction.atomic
def teacher_application_submit(
    *, applicant: User, expertise: str, motivation: str
) -> TeacherApplication:
    """A student applies to teach; one pending application at a time."""
    if applicant.role != Role.STUDENT:
        raise AlreadyInstructorError("You can already teach on Lumen.")
    # Lock the applicant so two simultaneous submissions cannot both pass the check below.
    User.objects.select_for_update().filter(pk=applicant.pk).first()
    if TeacherApplication.objects.filter(
        applicant=applicant, status=TeacherApplication.Status.PENDING
    ).exists():
        raise ApplicationAlreadyPendingError("You already have an application under review.")
    application = TeacherApplication(
        applicant=applicant, expertise=expertise.strip(), motivation=motivation.strip()
    )
    application.full_clean()
    application.save()
    return application


@transaction.atomic
def teacher_application_review(
    *, application: TeacherApplication, reviewer: User, approve: bool, note: str = ""
) -> TeacherApplication:
    """An admin approves (the applicant becomes an instructor) or rejects an application."""
    application = TeacherApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != TeacherApplication.Status.PENDING:
        raise ApplicationAlreadyReviewedError("This application has already been reviewed.")
    application.status = (
        TeacherApplication.Status.APPROVED if approve else TeacherApplication.Status.REJECTED
    )
    application.reviewed_by = reviewer
    application.reviewed_at = timezone.now()
    application.review_note = note
    application.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "updated_at"]
    )
    audit.audit_record(
        actor=reviewer,
        action=AuditEntry.Action.APPLICATION_REVIEW,
        target=application,
        target_repr=f"{application.applicant.email}: {application.expertise}",
        changes={"status": [TeacherApplication.Status.PENDING, application.status]},
    )
    if approve and application.applicant.role == Role.STUDENT:
        user_set_role(user=application.applicant, role=Role.INSTRUCTOR, changed_by=reviewer)
    return application
