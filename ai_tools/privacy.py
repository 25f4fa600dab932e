"""The AI tools' part of a user's data export and of account deletion (settings
USER_DATA_EXPORTERS / USER_DATA_ERASERS, called by accounts.privacy without importing this app).
"""

from __future__ import annotations

from typing import Any

from ai_tools.models import AIUsage, ChatMessage, Conversation, LessonSummary, PracticeSet


def user_data_export(*, user_id: int) -> dict[str, Any]:
    """Study-buddy conversations with their messages, practice sets and daily usage."""
    return {
        "conversations": list(
            Conversation.objects.filter(learner_id=user_id)
            .order_by("created_at", "id")
            .values("id", "course_id", "title", "created_at")
        ),
        "messages": list(
            ChatMessage.objects.filter(conversation__learner_id=user_id)
            .order_by("created_at", "id")
            .values("conversation_id", "role", "content", "citations", "created_at")
        ),
        "practice_sets": list(
            PracticeSet.objects.filter(learner_id=user_id)
            .order_by("created_at", "id")
            .values(
                "lesson_id",
                "title",
                "difficulty",
                "questions",
                "answers",
                "correct_count",
                "created_at",
                "submitted_at",
            )
        ),
        "usage": list(
            AIUsage.objects.filter(user_id=user_id)
            .order_by("day")
            .values("day", "requests", "prompt_tokens", "completion_tokens")
        ),
    }


def user_data_erase(*, user_id: int) -> None:
    """Conversations (with their messages), practice sets and usage go; lesson summaries the
    user asked for are shared by everyone and stay, without their name."""
    Conversation.objects.filter(learner_id=user_id).delete()
    PracticeSet.objects.filter(learner_id=user_id).delete()
    AIUsage.objects.filter(user_id=user_id).delete()
    LessonSummary.objects.filter(requested_by_id=user_id).update(requested_by=None)
