"""A user's own data: export it (the right of access) and delete the account (erasure).

Each app contributes its part without accounts importing it (the core never imports satellites):

- `settings.USER_DATA_EXPORTERS`: section name -> dotted path of `fn(*, user_id) -> dict`, the
  JSON-ready data that app holds about the user (DjangoJSONEncoder types: dates, decimals, UUIDs
  are fine).
- `settings.USER_DATA_ERASERS`: dotted paths of `fn(*, user_id) -> Any`, run in order inside the
  deletion's transaction before the account itself is anonymised; one may refuse the deletion by
  raising an ApplicationError (billing does while a subscription would still be charged), and
  then nothing at all is erased.

Deletion keeps the user row, anonymised, rather than deleting it: the XP ledger, course ratings,
Q&A posts and reputation, league and challenge rows still point at it, so totals, boards,
averages and other people's reputation do not move, and nothing is awarded again. Everything
that identifies the person goes: e-mail (replaced by deleted-<id>@deleted.invalid, so the
address can sign up again), display name, avatar file, bio, password (unusable: every session
and token is refused, as for any password change), e-mail addresses, two-factor
authenticators, refresh tokens, applications to teach, and the names in the admin's history and
the audit log. Each app's eraser says what it removes and what it keeps.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from accounts import audit, lockout
from accounts.exceptions import LastAdminAccountError, WrongPasswordError
from accounts.models import AuditEntry, TeacherApplication, User
from core.roles import Role

EXPORT_FORMAT = "lumen-user-data/1"
DELETED_NAME = "Deleted user"


def deleted_email(user_id: int) -> str:
    """The address an erased account keeps (unique, and never deliverable: .invalid)."""
    return f"deleted-{user_id}@deleted.invalid"


def _account_export(user: User) -> dict[str, Any]:
    return {
        "profile": {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "bio": user.bio,
            "time_zone": user.time_zone,
            "theme": user.theme,
            "role": user.role,
            "avatar": user.avatar.name or None,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
            "password_changed_at": user.password_changed_at,
        },
        "email_addresses": list(
            EmailAddress.objects.filter(user=user)
            .order_by("id")
            .values("email", "verified", "primary")
        ),
        "two_factor": list(
            Authenticator.objects.filter(user=user)
            .order_by("id")
            .values("type", "created_at", "last_used_at")
        ),
        "api_sessions": list(
            OutstandingToken.objects.filter(user=user)
            .order_by("created_at", "id")
            .values("created_at", "expires_at")
        ),
        "teacher_applications": list(
            TeacherApplication.objects.filter(applicant=user)
            .order_by("created_at", "id")
            .values("expertise", "motivation", "status", "created_at", "reviewed_at", "review_note")
        ),
    }


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything Lumen holds about the user: the account's own part, then each app's section."""
    document: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now(),
        "user_id": user.pk,
        "account": _account_export(user),
    }
    for section, path in settings.USER_DATA_EXPORTERS.items():
        document[section] = import_string(path)(user_id=user.pk)
    return document


def _password_check(*, user: User, password: str) -> None:
    """The account's password, re-entered; counted against the sign-in lockout."""
    lockout.login_attempt_begin(email=user.email)
    if not user.check_password(password):
        message = "Your password is not correct."
        raise WrongPasswordError(message, fields={"password": [message]})
    lockout.login_attempt_succeeded(email=user.email)


@transaction.atomic
def user_account_delete(*, user: User, password: str) -> User:
    """Erase the account after the password is re-entered; the last active admin cannot leave.

    Every app's eraser runs first (any may refuse, and then nothing changes), then the account
    is anonymised and can no longer sign in. Returns the anonymised user.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    _password_check(user=user, password=password)
    if user.role == Role.ADMIN or user.is_superuser:
        other_admins = User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True))
        if not other_admins.filter(is_active=True).exclude(pk=user.pk).exists():
            raise LastAdminAccountError(
                "You are the last admin: make someone else an admin before deleting your account."
            )
    for path in settings.USER_DATA_ERASERS:
        import_string(path)(user_id=user.pk)
    avatar = user.avatar.name
    _account_erase(user)
    if avatar:
        transaction.on_commit(lambda: default_storage.delete(avatar))
    return user


def _account_erase(user: User) -> None:
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    OutstandingToken.objects.filter(user=user).delete()  # their blacklist rows go with them
    TeacherApplication.objects.filter(applicant=user).delete()
    user.email = deleted_email(user.pk)
    user.display_name = DELETED_NAME
    user.avatar = ""
    user.bio = ""
    user.time_zone = "UTC"
    user.theme = User.Theme.SYSTEM
    user.set_unusable_password()
    user.is_active = False
    user.role = Role.STUDENT
    user.is_staff = False
    user.is_superuser = False
    user.erased_at = timezone.now()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    # Names recorded in the admin's history and the audit log follow the account.
    label = f"{DELETED_NAME} #{user.pk}"
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=label)
    AuditEntry.objects.filter(target_type=User._meta.label_lower, target_id=str(user.pk)).update(
        target_repr=label
    )
    audit.audit_record(
        actor=user,
        action=AuditEntry.Action.ACCOUNT_DELETE,
        target=user,
        target_repr=label,
        changes={"erased_by": ["accounts", *settings.USER_DATA_ERASERS]},
    )
