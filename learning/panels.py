"""Pieces of the core's pages that this app fills in (settings.PLAYER_PANELS and
DASHBOARD_PANELS): the courses app renders them without importing this app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from learning import selectors
from learning.models import Mode


def dashboard_reviews(request: HttpRequest) -> dict[str, Any] | None:
    """The dashboard's revision panel: cards due now, with a link to review them."""
    if not request.user.is_authenticated:
        return None
    return {
        "template": "learning/_dashboard_reviews.html",
        "stats": selectors.review_stats(learner=request.user),
    }


MODE_DESCRIPTIONS = {
    Mode.STANDARD: "Learn at your own pace.",
    Mode.CHALLENGE: "Timed question runs scored for speed, with leaderboards; start one from "
    "a lesson.",
    Mode.RELAX: "No timers and no leaderboards, your streak stays out of sight, and a short "
    "break is offered after your chosen minutes of learning.",
    Mode.BINGE: "When a lesson ends the next one starts after a short countdown you can cancel.",
}


def dashboard_mode(request: HttpRequest) -> dict[str, Any] | None:
    """The dashboard's mode switcher: the learner's default mode, changeable in place."""
    if not request.user.is_authenticated:
        return None
    mode = selectors.default_mode_for_request(request)
    return {
        "template": "learning/_dashboard_mode.html",
        "mode": mode,
        "modes": Mode.choices,
        "description": MODE_DESCRIPTIONS[Mode(mode)],
    }


def player_mode(
    request: HttpRequest, *, course: Any, lesson: Any, view: Any
) -> dict[str, Any] | None:
    """The player's mode bar: the mode in force, a switcher, and what binge and relax need."""
    if not request.user.is_authenticated or view.enrollment is None:
        return None
    # A read: a learner who never chose a mode sees the defaults, and a GET saves nothing.
    preference = selectors.preference_for_request(request)
    mode = selectors.course_mode_for_viewer(user=request.user, course=course) or preference.mode
    next_url = ""
    if view.next_lesson is not None:
        next_url = reverse("courses:lesson", args=[course.slug, view.next_lesson.id])
    module = _module_of(course, lesson)
    return {
        "template": "learning/_player_mode.html",
        "mode": mode,
        "modes": Mode.choices,
        "course": course,
        "category": course.category,
        "next_url": next_url,
        "next_title": view.next_lesson.title if view.next_lesson else "",
        "module_title": module.title if module is not None else "",
        "is_module_end": _next_is_in_another_module(module, view),
        "in_a_row": selectors.binge_run_length(preference=preference),
        "countdown": preference.binge_countdown_seconds,
        "relax_interval_minutes": preference.relax_interval_minutes,
    }


def _module_of(course: Any, lesson: Any) -> Any | None:
    """The lesson's module, from the outline the player already loaded (no query)."""
    for module in course.modules.all():
        if any(item.pk == lesson.pk for item in module.lessons.all()):
            return module
    return None


def _next_is_in_another_module(module: Any | None, view: Any) -> bool:
    """Is this the module's last lesson, with more of the course after it?"""
    if view.next_lesson is None or module is None:
        return False
    return all(item.pk != view.next_lesson.id for item in module.lessons.all())
