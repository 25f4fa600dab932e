from django.contrib import admin

from learning.models import ChallengeRun, LearningPreference, ReviewCard, ReviewLog


@admin.register(LearningPreference)
class LearningPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "mode", "desired_retention"]
    search_fields = ["user__email"]
    list_select_related = ["user"]


@admin.register(ReviewCard)
class ReviewCardAdmin(admin.ModelAdmin):
    list_display = ["learner", "question", "source_key", "course", "state", "due", "reviews"]
    list_select_related = ["learner", "question", "course"]
    search_fields = ["learner__email"]
    readonly_fields = [f.name for f in ReviewCard._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(ReviewLog)
class ReviewLogAdmin(admin.ModelAdmin):
    list_display = ["card", "rating", "source", "reviewed_at", "due_after"]
    list_select_related = ["card"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ChallengeRun)
class ChallengeRunAdmin(admin.ModelAdmin):
    list_display = ["learner", "course", "category", "started_at", "deadline", "score"]
    list_select_related = ["learner", "course", "category"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
