"""Admin for the AI tools: cached summaries (regenerate), practice sets, chats, usage."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from ai_tools import models
from ai_tools.tasks import summary_generate_task


@admin.register(models.LessonSummary)
class LessonSummaryAdmin(admin.ModelAdmin):
    list_display = ["lesson", "provider", "status", "generated_at", "created_at"]
    list_filter = ["status", "provider"]
    list_select_related = ["lesson"]
    search_fields = ["lesson__title"]
    readonly_fields = [
        "lesson", "content_hash", "provider", "status", "requested_by", "summary", "key_points",
        "takeaways", "key_terms", "error", "generated_at",
    ]  # fmt: skip
    actions = ["regenerate"]

    @admin.action(description="Generate again (failed or pending summaries)")
    def regenerate(self, request: HttpRequest, queryset: QuerySet[models.LessonSummary]) -> None:
        count = 0
        for summary in queryset.exclude(status=models.GenerationStatus.READY):
            summary_generate_task.delay(summary.pk)
            count += 1
        messages.success(request, f"{count} summar{'y' if count == 1 else 'ies'} queued.")


@admin.register(models.PracticeSet)
class PracticeSetAdmin(admin.ModelAdmin):
    list_display = ["title", "learner", "status", "difficulty", "question_count", "created_at"]
    list_filter = ["status", "difficulty", "provider"]
    list_select_related = ["learner"]
    search_fields = ["title", "learner__email"]
    raw_id_fields = ["learner", "lesson", "module"]


class ChatMessageInline(admin.TabularInline):
    model = models.ChatMessage
    extra = 0
    fields = ["role", "content", "provider", "created_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(models.Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "learner", "course", "updated_at"]
    list_select_related = ["learner", "course"]
    search_fields = ["title", "learner__email"]
    raw_id_fields = ["learner", "course"]
    inlines = [ChatMessageInline]


@admin.register(models.AIUsage)
class AIUsageAdmin(admin.ModelAdmin):
    list_display = ["user", "day", "requests", "prompt_tokens", "completion_tokens"]
    list_filter = ["day"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    date_hierarchy = "day"
