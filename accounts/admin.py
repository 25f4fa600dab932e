"""Accounts in the admin: every role change and review goes through the services; the audit
log (AuditEntry) and Django's admin history (LogEntry) are read-only here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts import services
from accounts.models import AuditEntry, TeacherApplication, User
from core.exceptions import ApplicationError
from core.roles import Role


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "role", "is_active", "date_joined", "last_login"]
    list_filter = ["role", "is_active", "date_joined"]
    search_fields = ["email", "display_name"]
    readonly_fields = ["role", "is_staff", "is_superuser", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "avatar", "time_zone", "bio", "theme")}),
        (
            "Role and access",
            {
                "fields": ("role", "is_active", "is_staff", "is_superuser"),
                "description": "Change a role with the actions on the user list.",
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    actions = ["make_instructor", "make_student", "make_admin", "deactivate"]

    def _set_role(self, request: HttpRequest, queryset: QuerySet[User], role: str) -> None:
        changed = 0
        for user in queryset:
            try:
                services.user_set_role(user=user, role=role, changed_by=request.user)  # type: ignore[arg-type]
                changed += 1
            except ApplicationError as error:
                self.message_user(request, f"{user.email}: {error.message}", messages.ERROR)
        if changed:
            self.message_user(request, f"{changed} user(s) are now {Role(role).label.lower()}s.")

    @admin.action(description="Promote to instructor", permissions=["change"])
    def make_instructor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_role(request, queryset, Role.INSTRUCTOR)

    @admin.action(description="Make student", permissions=["change"])
    def make_student(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_role(request, queryset, Role.STUDENT)

    @admin.action(description="Make admin", permissions=["change"])
    def make_admin(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_role(request, queryset, Role.ADMIN)

    @admin.action(description="Deactivate (blocks sign-in and API tokens)", permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        deactivated = 0
        for user in queryset:
            try:
                services.user_deactivate(user=user, deactivated_by=request.user)  # type: ignore[arg-type]
                deactivated += 1
            except ApplicationError as error:
                self.message_user(request, f"{user.email}: {error.message}", messages.ERROR)
        if deactivated:
            self.message_user(request, f"{deactivated} user(s) deactivated.")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(
            getattr(request.user, "role", None) == Role.ADMIN
        ) and super().has_change_permission(request, obj)


@admin.register(TeacherApplication)
class TeacherApplicationAdmin(admin.ModelAdmin):
    list_display = ["applicant", "expertise", "status", "created_at", "reviewed_by"]
    list_filter = ["status", "created_at"]
    search_fields = ["applicant__email", "applicant__display_name", "expertise"]
    list_select_related = ["applicant", "reviewed_by"]
    readonly_fields = [
        "applicant",
        "expertise",
        "motivation",
        "status",
        "reviewed_by",
        "reviewed_at",
    ]
    fields = [*readonly_fields, "review_note"]
    actions = ["approve", "reject"]

    def _review(
        self, request: HttpRequest, queryset: QuerySet[TeacherApplication], approve: bool
    ) -> None:
        reviewed = 0
        for application in queryset:
            try:
                services.teacher_application_review(
                    application=application,
                    reviewer=request.user,
                    approve=approve,  # type: ignore[arg-type]
                )
                reviewed += 1
            except ApplicationError as error:
                self.message_user(request, f"{application}: {error.message}", messages.ERROR)
        if reviewed:
            verb = "approved" if approve else "rejected"
            self.message_user(request, f"{reviewed} application(s) {verb}.")

    @admin.action(description="Approve: make the applicants instructors", permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[TeacherApplication]) -> None:
        self._review(request, queryset, approve=True)

    @admin.action(description="Reject", permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[TeacherApplication]) -> None:
        self._review(request, queryset, approve=False)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class _ReadOnlyAdmin(admin.ModelAdmin):
    """A record nobody edits: admins may read it, nobody may add, change or delete it."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return getattr(request.user, "role", None) == Role.ADMIN and super().has_view_permission(
            request, obj
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(_ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_repr", "ip"]
    list_filter = ["action", "target_type", "created_at"]
    search_fields = ["target_repr", "target_id", "actor__email", "ip"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "actor",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "changes",
        "ip",
    ]
    readonly_fields = fields


@admin.register(LogEntry)
class LogEntryAdmin(_ReadOnlyAdmin):
    """Django's own record of admin additions, changes and deletions (the history pages)."""

    list_display = ["action_time", "user", "content_type", "object_repr", "action_flag"]
    list_filter = ["action_flag", "content_type", "action_time"]
    search_fields = ["object_repr", "user__email"]
    list_select_related = ["user", "content_type"]
    date_hierarchy = "action_time"
    fields = [
        "action_time",
        "user",
        "content_type",
        "object_id",
        "object_repr",
        "action_flag",
        "change_message",
    ]
    readonly_fields = fields
