"""Q&A's part of a user's data export and of account deletion (settings USER_DATA_EXPORTERS /
USER_DATA_ERASERS, called by accounts.privacy without importing this app)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from qa import services
from qa.models import (
    Answer,
    Bounty,
    Comment,
    DigestSubscription,
    Flag,
    Follow,
    Question,
    ReputationEvent,
    StarRating,
    UserReputation,
)


def user_data_export(*, user_id: int) -> dict[str, Any]:
    """Questions, answers and comments written, ratings and flags given, follows, reputation,
    bounties offered."""
    return {
        "questions": list(
            Question.objects.filter(asker_id=user_id)
            .order_by("created_at", "id")
            .values("id", "title", "body", "status", "course_id", "created_at", "edited_at")
        ),
        "answers": list(
            Answer.objects.filter(author_id=user_id)
            .order_by("created_at", "id")
            .values("id", "question_id", "body", "is_accepted", "created_at", "edited_at")
        ),
        "comments": list(
            Comment.objects.filter(author_id=user_id)
            .order_by("created_at", "id")
            .values("id", "question_id", "answer_id", "body", "created_at")
        ),
        "ratings_given": list(
            StarRating.objects.filter(rater_id=user_id)
            .order_by("created_at", "id")
            .values("answer_id", "stars", "created_at")
        ),
        "flags_raised": list(
            Flag.objects.filter(flagger_id=user_id)
            .order_by("created_at", "id")
            .values("question_id", "answer_id", "comment_id", "reason", "note", "status")
        ),
        "follows": list(
            Follow.objects.filter(follower_id=user_id)
            .order_by("created_at", "id")
            .values("question_id", "category_id", "course_id", "created_at")
        ),
        "digest": DigestSubscription.objects.filter(user_id=user_id)
        .values("frequency", "notify_as_expert")
        .first(),
        "reputation": UserReputation.objects.filter(user_id=user_id).values("points").first(),
        "reputation_events": list(
            ReputationEvent.objects.filter(user_id=user_id)
            .order_by("created_at", "id")
            .values("kind", "points", "answer_id", "created_at")
        ),
        "bounties_offered": list(
            Bounty.objects.filter(sponsor_id=user_id)
            .order_by("created_at", "id")
            .values("question_id", "amount", "status", "answer_id", "created_at", "settled_at")
        ),
    }


def user_data_erase(*, user_id: int) -> None:
    """Follows and the digest go. The ratings the user gave are withdrawn by Q&A's own rule for
    a removed account (rater_contributions_reverse: star ratings withdrawn and answers
    recounted, the reputation they granted reversed by reversal events, never by deleting
    history), here in the same transaction. Questions, answers, comments and the reputation the
    user earned stay with the anonymised account ("Deleted user"): other people's answers and
    comments rest on them."""
    services.rater_contributions_reverse(rater=get_user_model().objects.get(pk=user_id))
    Follow.objects.filter(follower_id=user_id).delete()
    DigestSubscription.objects.filter(user_id=user_id).delete()
