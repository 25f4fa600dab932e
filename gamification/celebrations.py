"""Level-up and badge toasts for the page whose action earned them.

While a request runs, the level-ups and badges of the signed-in learner that it causes (XP is
awarded in-process when Celery runs eagerly, as on the embedded default) are collected here; the
CelebrationMiddleware then hands them to the browser: in an `HX-Trigger` header for htmx requests,
else as messages tagged "celebration" that the next page shows as toasts. When a worker awards the
XP later, the notifications WebSocket brings the same news live (static/js/notifications.js), and
the page script shows each fact once. The titles match the notifications' own, which is how the
script recognises one fact arriving both ways.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from gamification import events

LEVEL_UP = "level_up"  # the notification kinds of the same facts (notifications.models.Kind)
ACHIEVEMENT = "achievement"
HTMX_EVENT = "lumen:celebrate"

_collected: contextvars.ContextVar[list[dict[str, Any]] | None] = contextvars.ContextVar(
    "gamification_celebrations", default=None
)


def level_up_item(*, user_id: int, level: int, title: str) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "kind": LEVEL_UP,
        "title": f"Level {level}! You are now a {title}.",
        "body": "",
        "link": reverse("gamification:progress"),
    }


def achievement_item(*, user_id: int, achievement: Any) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "kind": ACHIEVEMENT,
        "title": f"Badge unlocked: {achievement.name}",
        "body": achievement.description,
        "link": reverse("gamification:progress"),
    }


def on_level_reached(sender: Any, user: Any, level: int, title: str, **_: Any) -> None:
    items = _collected.get()
    if items is not None:
        items.append(level_up_item(user_id=user.pk, level=level, title=title))


def on_achievement_unlocked(sender: Any, user: Any, achievement: Any, **_: Any) -> None:
    items = _collected.get()
    if items is not None:
        items.append(achievement_item(user_id=user.pk, achievement=achievement))


def connect() -> None:
    events.level_reached.connect(on_level_reached, dispatch_uid="gamif_celebrate_level")
    events.achievement_unlocked.connect(
        on_achievement_unlocked, dispatch_uid="gamif_celebrate_badge"
    )


class CelebrationMiddleware:
    """Collects the request's celebrations for its learner and passes them to the page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _collected.set([])
        try:
            response = self.get_response(request)
            items = _collected.get() or []
        finally:
            _collected.reset(token)
        user = getattr(request, "user", None)
        if not items or user is None or not user.is_authenticated:
            return response
        mine = [
            {key: value for key, value in item.items() if key != "user_id"}
            for item in items
            if item["user_id"] == user.pk
        ]
        if not mine or request.path.startswith("/api/"):
            return response
        if getattr(request, "htmx", False) and not 300 <= response.status_code < 400:
            _add_htmx_trigger(response, mine)
        else:
            for item in mine:
                messages.success(request, item["title"], extra_tags=f"celebration {item['kind']}")
        return response


def _add_htmx_trigger(response: HttpResponse, items: list[dict[str, Any]]) -> None:
    existing = response.headers.get("HX-Trigger", "")
    triggers: dict[str, Any] = {}
    if existing.startswith("{"):
        triggers = json.loads(existing)
    elif existing:
        triggers = {name.strip(): None for name in existing.split(",") if name.strip()}
    triggers[HTMX_EVENT] = {"items": items}
    response.headers["HX-Trigger"] = json.dumps(triggers)
