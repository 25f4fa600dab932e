"""The unread count for the header's bell, computed only when a page shows it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core.http import SAFE_METHODS
from notifications.selectors import REQUEST_UNREAD_COUNT


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # A session request's user was loaded with its count (notifications.selectors
    # request_user_with_unread_count). A page that reads it cannot have changed it, but a POST
    # (marking read, say) may have since the user was loaded: those count again.
    if request.method in SAFE_METHODS and hasattr(user, REQUEST_UNREAD_COUNT):
        return {"notifications_unread": getattr(user, REQUEST_UNREAD_COUNT)}
    from notifications.services import unread_count

    return {"notifications_unread": SimpleLazyObject(lambda: unread_count(user_id=user.pk))}
