"""Reads for notifications."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from core.subqueries import total_subquery
from courses.models import Course
from notifications.exceptions import InstructorNotFoundError
from notifications.models import (
    InstructorFollow,
    Kind,
    Notification,
    Preference,
    default_channels,
)

# The attribute `request_user_with_unread_count` puts on a session request's user.
REQUEST_UNREAD_COUNT = "request_unread_notifications"


def request_user_with_unread_count(users: QuerySet[Any]) -> QuerySet[Any]:
    """settings.REQUEST_USER_LOADERS: each user's unread notifications, a subquery of the user's
    own query, so the header's bell costs no query of its own."""
    unread = Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
    return users.annotate(**{REQUEST_UNREAD_COUNT: total_subquery(unread, per="recipient")})


def preference_list_for_user(*, user: Any) -> list[dict[str, Any]]:
    """Every kind with its channels for the user, defaults filled in for kinds never changed."""
    stored = {preference.kind: preference for preference in Preference.objects.filter(user=user)}
    rows = []
    for kind, label in Kind.choices:
        chosen = stored.get(kind) or default_channels(kind)
        rows.append(
            {
                "kind": kind,
                "label": label,
                "in_app": chosen.in_app,
                "email": chosen.email,
                "push": chosen.push,
            }
        )
    return rows


def instructor_get_followable(*, instructor_id: int) -> Any:
    """An active user who teaches at least one published course; anyone else is not found, so
    following tells nothing about other accounts."""
    instructor = (
        get_user_model()
        .objects.filter(
            pk=instructor_id, is_active=True, courses_taught__status=Course.Status.PUBLISHED
        )
        .distinct()
        .first()
    )
    if instructor is None:
        raise InstructorNotFoundError("No instructor with this id teaches a published course.")
    return instructor


def instructor_follow_list_for_follower(*, follower: Any) -> QuerySet[InstructorFollow]:
    """The instructors a learner follows, newest first, each with `published_course_count`."""
    return (
        InstructorFollow.objects.filter(follower=follower)
        .select_related("instructor")
        .annotate(
            published_course_count=Count(
                "instructor__courses_taught",
                filter=Q(instructor__courses_taught__status=Course.Status.PUBLISHED),
                distinct=True,
            )
        )
        .order_by("-created_at", "-id")
    )


def instructors_with_follow(instructors: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """settings.COURSE_INSTRUCTOR_LOADERS: whether the signed-in viewer follows each of a course
    page's instructors (`followed_by_viewer`), joined to the instructors' own query."""
    follows = InstructorFollow.objects.filter(follower_id=user.pk, instructor_id=OuterRef("pk"))
    return instructors.annotate(followed_by_viewer=Exists(follows))


def followed_instructor_ids(*, follower: Any, instructor_ids: list[int]) -> set[int]:
    """Which of these instructors the user follows (an empty set for visitors)."""
    if not getattr(follower, "is_authenticated", False) or not instructor_ids:
        return set()
    return set(
        InstructorFollow.objects.filter(
            follower=follower, instructor_id__in=instructor_ids
        ).values_list("instructor_id", flat=True)
    )
