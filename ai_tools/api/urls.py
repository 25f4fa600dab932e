"""/api/v1/ai/ routes."""

from django.urls import path

from ai_tools.api import views

urlpatterns = [
    path("ai/summarize-lesson", views.SummarizeLessonApi.as_view(), name="ai-summarize-lesson"),
    path("ai/summaries/<int:summary_id>", views.SummaryDetailApi.as_view(), name="ai-summary"),
    path(
        "ai/generate-questions", views.GenerateQuestionsApi.as_view(), name="ai-generate-questions"
    ),
    path("ai/practice-sets", views.PracticeSetListApi.as_view(), name="ai-practice-sets"),
    path(
        "ai/practice-sets/<int:practice_set_id>",
        views.PracticeSetDetailApi.as_view(),
        name="ai-practice-set",
    ),
    path(
        "ai/practice-sets/<int:practice_set_id>/submit",
        views.PracticeSetSubmitApi.as_view(),
        name="ai-practice-set-submit",
    ),
    path("ai/study-buddy", views.StudyBuddyApi.as_view(), name="ai-study-buddy"),
    path("ai/conversations", views.ConversationListApi.as_view(), name="ai-conversations"),
    path(
        "ai/conversations/<int:conversation_id>/messages",
        views.ConversationMessageListApi.as_view(),
        name="ai-conversation-messages",
    ),
    path("ai/usage", views.AIUsageApi.as_view(), name="ai-usage"),
    path(
        "ai/analyze-skill-gaps", views.AnalyzeSkillGapsApi.as_view(), name="ai-analyze-skill-gaps"
    ),
]
