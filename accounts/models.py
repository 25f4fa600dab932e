"""Users (email login, a role) and applications to teach."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.managers import UserManager
from accounts.validators import validate_time_zone
from core.models import TimeStampedModel
from core.roles import STAFF_ROLES, Role


def avatar_upload_to(instance: User, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"avatars/{instance.pk or 'new'}/{timezone.now():%Y%m%d%H%M%S}.{extension}"


class User(AbstractUser):
    Role = Role

    class Theme(models.TextChoices):
        SYSTEM = "system", "Match my device"
        LIGHT = "light", "Light"
        DARK = "dark", "Dark"
        HIGH_CONTRAST = "high-contrast", "High contrast"

    username = None  # type: ignore[assignment]  # email is the login
    first_name = None  # type: ignore[assignment]  # display_name replaces the name pair
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=80, blank=True)
    avatar = models.ImageField(
        upload_to=avatar_upload_to,
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp", "gif"])],
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    bio = models.TextField(max_length=2000, blank=True)
    role = models.CharField(
        max_length=16, choices=Role.choices, default=Role.STUDENT, db_index=True
    )
    theme = models.CharField(max_length=16, choices=Theme.choices, default=Theme.SYSTEM)
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the owner deleted the account (accounts.privacy): personal data is gone, the row
    # stays so the XP ledger, ratings and posts keep their author.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"), name="accounts_user_email_ci_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """What other people see: the display name, or the part of the email before the @."""
        return self.display_name or self.email.split("@", 1)[0]

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


class TeacherApplication(TimeStampedModel):
    """A student's request to teach, reviewed by an admin."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teacher_applications"
    )
    expertise = models.CharField(max_length=200, help_text="What you would teach.")
    motivation = models.TextField(max_length=4000, help_text="Why and how you teach.")
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_teacher_applications",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant"],
                condition=Q(status="pending"),
                name="accounts_one_pending_application_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.applicant} ({self.get_status_display()})"


class AuditEntry(models.Model):
    """Who did what to what: one row per privileged action, written by accounts.audit only.

    Admin adds, changes, deletions and actions (every ModelAdmin, through accounts.admin_site),
    role changes and deactivations from any interface, and account deletions. Django's own
    LogEntry is still written for the admin's history pages; this table also covers what happens
    outside the admin, and keeps the changed values, the caller's address and the action name.
    """

    class Action(models.TextChoices):
        ADMIN_ADD = "admin_add", "Added in the admin"
        ADMIN_CHANGE = "admin_change", "Changed in the admin"
        ADMIN_DELETE = "admin_delete", "Deleted in the admin"
        ADMIN_ACTION = "admin_action", "Admin action"
        ROLE_CHANGE = "role_change", "Role changed"
        USER_DEACTIVATE = "user_deactivate", "User deactivated"
        APPLICATION_REVIEW = "application_review", "Application to teach reviewed"
        ACCOUNT_DELETE = "account_delete", "Account deleted by its owner"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the system (a task, a command).",
    )
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    target_type = models.CharField(max_length=100, blank=True, help_text="app_label.model")
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="accounts_audit_target"),
            models.Index(fields=["actor", "-created_at"], name="accounts_audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.target_repr}"
