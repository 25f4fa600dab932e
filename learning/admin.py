"""Learning modes in the admin: preferences are editable through the service, cards and logs are
read-only (FSRS writes them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from core.exceptions import ApplicationError
from learning import services
from learning.models import ChallengeRun, LearningPreference, ReviewCard, ReviewLog, StudyActivity


@admin.register(LearningPreference)
class LearningPreferenceAdmin(admin.ModelAdmin):
    list_display = ["learner", "mode", "desired_retention", "study_interval_minutes"]
    list_filter = ["mode"]
    search_fields = ["learner__email"]
    list_select_related = ["learner"]
    readonly_fields = ["learner", "fsrs_parameters", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.preference_update(learner=obj.learner, data=data)
        except ApplicationError as error:
            messages.error(request, error.message)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReviewCard)
class ReviewCardAdmin(ReadOnlyAdmin):
    list_display = ["pk", "learner", "course", "state", "due", "review_count", "lapse_count"]
    list_filter = ["state"]
    search_fields = ["learner__email", "question__text"]
    list_select_related = ["learner", "course"]
    date_hierarchy = "due"


@admin.register(ReviewLog)
class ReviewLogAdmin(ReadOnlyAdmin):
    list_display = ["pk", "learner", "card", "number", "rating", "source", "reviewed_at"]
    list_filter = ["rating", "source"]
    search_fields = ["learner__email"]
    list_select_related = ["learner", "card"]


@admin.register(StudyActivity)
class StudyActivityAdmin(ReadOnlyAdmin):
    list_display = ["learner", "active_seconds", "break_started_at", "lessons_in_a_row"]
    list_select_related = ["learner"]


@admin.register(ChallengeRun)
class ChallengeRunAdmin(ReadOnlyAdmin):
    list_display = ["pk", "learner", "scope", "started_at", "deadline", "score", "is_expired"]
    list_filter = ["is_expired"]
    search_fields = ["learner__email", "scope"]
    list_select_related = ["learner"]
