"""Reads for notifications: the inbox, the unread count, preferences, push devices."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from courses.models import Enrollment
from notifications.models import Kind, Notification, NotificationPreference, PushSubscription


def notification_list_for_user(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    queryset = Notification.objects.filter(recipient=user)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return queryset.order_by("-created_at", "-id")


def notification_unread_count(*, user: User) -> int:
    """How many of the user's notifications are unread."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def preference_map_for_user(*, user: User) -> dict[str, dict[str, bool]]:
    """Every kind with its delivery channels, defaults filled in for kinds never changed."""
    stored = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    result = {}
    for kind in Kind.values:
        pref = stored.get(kind)
        result[kind] = (
            {"in_app": pref.in_app, "email": pref.email, "push": pref.push}
            if pref
            else dict(NotificationPreference.DEFAULTS)
        )
    return result


def preference_for(*, user: User, kind: str) -> dict[str, bool]:
    """One kind's channels for the user (defaults when never changed)."""
    pref = NotificationPreference.objects.filter(user=user, kind=kind).first()
    if pref is None:
        return dict(NotificationPreference.DEFAULTS)
    return {"in_app": pref.in_app, "email": pref.email, "push": pref.push}


def push_subscription_list_for_user(*, user_id: int) -> QuerySet[PushSubscription]:
    """The user's subscribed devices."""
    return PushSubscription.objects.filter(user_id=user_id).order_by("id")


def course_ids_for_learner(*, user: User) -> list[int]:
    """Courses whose broadcast group the user's sockets join."""
    return list(Enrollment.objects.filter(learner=user).values_list("course_id", flat=True))
