"""The help center in the admin. Every change goes through the services; the rating and
reputation ledgers are read-only here, because they must only change with their rules.

Instructors see and moderate the questions (with their answers, comments and flags) about the
courses they teach; admins see everything (accounts.roles.ROLE_PERMISSIONS gives the rights).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from core.exceptions import ApplicationError
from qa import selectors, services
from qa.models import (
    Answer,
    Category,
    Comment,
    DigestSubscription,
    Flag,
    Follow,
    PostRevision,
    Question,
    ReputationEvent,
    StarRating,
    Tag,
    UserReputation,
    XpAward,
)


def _run(modeladmin: admin.ModelAdmin, request: HttpRequest, items: Any, action: Any) -> None:
    """Call a service for each selected item and report what happened."""
    done = 0
    for item in items:
        try:
            action(item)
            done += 1
        except ApplicationError as error:
            modeladmin.message_user(request, f"{item}: {error.message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"Done for {done} item(s).")


class ModeratedQuerysetMixin:
    """Instructors only see posts about the courses they teach."""

    question_path = "question"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        if selectors.user_is_admin(request.user):
            return queryset
        courses = selectors.courses_moderated_by(request.user)
        return queryset.filter(**{f"{self.question_path}course__in": courses})


class HideActionsMixin:
    actions = ["hide", "unhide"]

    @admin.action(description="Hide from everyone but the author", permissions=["change"])
    def hide(self, request: HttpRequest, queryset: QuerySet) -> None:
        _run(
            self,  # type: ignore[arg-type]
            request,
            queryset,
            lambda post: services.post_hide(post=post, moderator=request.user),
        )

    @admin.action(description="Show again", permissions=["change"])
    def unhide(self, request: HttpRequest, queryset: QuerySet) -> None:
        _run(
            self,  # type: ignore[arg-type]
            request,
            queryset,
            lambda post: services.post_unhide(post=post, moderator=request.user),
        )


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "is_active"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "keywords"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class RevisionInline(admin.TabularInline):
    model = PostRevision
    fk_name = "question"
    extra = 0
    can_delete = False
    fields = ["number", "editor", "title", "note", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Question)
class QuestionAdmin(ModeratedQuerysetMixin, HideActionsMixin, admin.ModelAdmin):
    question_path = ""
    list_display = ["title", "asker", "category", "status", "is_hidden", "created_at"]
    list_filter = ["status", "is_hidden", "category", "category_source"]
    search_fields = ["title", "body", "asker__email"]
    list_select_related = ["asker", "category"]
    readonly_fields = [
        "asker",
        "course",
        "lesson",
        "status",
        "close_reason",
        "duplicate_of",
        "category_source",
        "category_explanation",
        "view_count",
        "is_hidden",
        "hidden_by",
        "hidden_at",
        "hidden_reason",
        "created_at",
        "edited_at",
    ]
    fields = ["title", "body", "category", "tags", *readonly_fields]
    filter_horizontal = ["tags"]
    inlines = [RevisionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # questions are asked on the site, by learners

    def save_model(self, request: HttpRequest, obj: Question, form: Any, change: bool) -> None:
        services.question_update(
            question=Question.objects.get(pk=obj.pk),
            editor=request.user,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            category=form.cleaned_data["category"],
            note="Edited in the admin",
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Tags through the service (not form.save_m2m); the revisions inline is read-only.
        services.question_update(
            question=form.instance,
            editor=request.user,
            tags=[tag.name for tag in form.cleaned_data["tags"]],
        )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: Question) -> None:
        services.question_delete(question=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Question]) -> None:
        _run(
            self,
            request,
            queryset,
            lambda question: services.question_delete(question=question, actor=request.user),
        )


@admin.register(Answer)
class AnswerAdmin(ModeratedQuerysetMixin, HideActionsMixin, admin.ModelAdmin):
    question_path = "question__"
    list_display = ["__str__", "author", "is_accepted", "star_count", "is_hidden", "created_at"]
    list_filter = ["is_accepted", "is_hidden"]
    search_fields = ["body", "author__email", "question__title"]
    list_select_related = ["author", "question"]
    readonly_fields = [
        "question",
        "author",
        "is_accepted",
        "accepted_at",
        "star_count",
        "star_total",
        "is_hidden",
        "hidden_by",
        "hidden_reason",
        "created_at",
        "edited_at",
    ]
    fields = ["body", *readonly_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Answer, form: Any, change: bool) -> None:
        services.answer_update(
            answer=Answer.objects.get(pk=obj.pk),
            editor=request.user,
            body=form.cleaned_data["body"],
            note="Edited in the admin",
        )

    def delete_model(self, request: HttpRequest, obj: Answer) -> None:
        services.answer_delete(answer=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Answer]) -> None:
        _run(
            self,
            request,
            queryset,
            lambda answer: services.answer_delete(answer=answer, actor=request.user),
        )


@admin.register(Comment)
class CommentAdmin(HideActionsMixin, admin.ModelAdmin):
    list_display = ["__str__", "author", "is_hidden", "created_at"]
    list_filter = ["is_hidden"]
    search_fields = ["body", "author__email"]
    readonly_fields = ["question", "answer", "author", "body", "is_hidden", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        queryset = super().get_queryset(request).select_related("author")
        if selectors.user_is_admin(request.user):
            return queryset
        courses = selectors.courses_moderated_by(request.user)
        return queryset.filter(
            Q(question__course__in=courses) | Q(answer__question__course__in=courses)
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Flag)
class FlagAdmin(admin.ModelAdmin):
    list_display = ["__str__", "flagger", "reason", "status", "created_at"]
    list_filter = ["status", "reason"]
    readonly_fields = [
        "flagger",
        "question",
        "answer",
        "comment",
        "reason",
        "note",
        "status",
        "resolved_by",
        "resolved_at",
        "created_at",
    ]
    actions = ["uphold", "dismiss"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Flag]:
        if selectors.user_is_admin(request.user):
            return super().get_queryset(request).select_related("flagger")
        return selectors.flag_list_for_moderator(moderator=request.user, status=Flag.Status.OPEN)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Uphold: hide the flagged post", permissions=["change"])
    def uphold(self, request: HttpRequest, queryset: QuerySet[Flag]) -> None:
        _run(
            self,
            request,
            queryset,
            lambda flag: services.flag_resolve(flag=flag, moderator=request.user, uphold=True),
        )

    @admin.action(description="Dismiss", permissions=["change"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet[Flag]) -> None:
        _run(
            self,
            request,
            queryset,
            lambda flag: services.flag_resolve(flag=flag, moderator=request.user, uphold=False),
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Ledgers change only through their services and rules."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(XpAward)
class XpAwardAdmin(ReadOnlyAdmin):
    list_display = ["answer", "giver", "recipient", "amount", "ledger_amount", "created_at"]
    list_select_related = ["answer", "giver", "recipient"]


@admin.register(StarRating)
class StarRatingAdmin(ReadOnlyAdmin):
    list_display = ["answer", "rater", "stars", "updated_at"]
    list_select_related = ["answer", "rater"]


@admin.register(UserReputation)
class UserReputationAdmin(ReadOnlyAdmin):
    list_display = ["user", "points", "updated_at"]
    search_fields = ["user__email"]
    ordering = ["-points"]


@admin.register(ReputationEvent)
class ReputationEventAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "points", "points_before_cap", "is_reversed", "created_at"]
    list_filter = ["kind", "is_reversed"]
    search_fields = ["user__email"]
    list_select_related = ["user"]


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ["follower", "question", "category", "course", "created_at"]
    # The targets are nullable, so the admin does not join them by itself.
    list_select_related = ["follower", "question", "category", "course"]


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["user", "frequency", "notify_as_expert", "last_sent_at"]
    list_filter = ["frequency"]
