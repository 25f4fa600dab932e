"""Pieces of the core's pages that this app fills in (settings.PLAYER_PANELS and
DASHBOARD_PANELS): the courses app renders them without importing this app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from learning import selectors, services


def dashboard_reviews(request: HttpRequest) -> dict[str, Any] | None:
    """The dashboard's revision panel: cards due now, with a link to review them."""
    if not request.user.is_authenticated:
        return None
    return {
        "template": "learning/_dashboard_reviews.html",
        "stats": selectors.review_stats(learner=request.user),
    }


def player_mode(
    request: HttpRequest, *, course: Any, lesson: Any, view: Any
) -> dict[str, Any] | None:
    """The player's mode bar: the mode in force, a switcher, and what binge and relax need."""
    if not request.user.is_authenticated or view.enrollment is None:
        return None
    preference = services.preference_get(user=request.user)
    mode = selectors.course_mode_get(user=request.user, course_id=course.pk) or preference.mode
    next_url = ""
    if view.next_lesson is not None:
        next_url = reverse("courses:lesson", args=[course.slug, view.next_lesson.id])
    return {
        "template": "learning/_player_mode.html",
        "mode": mode,
        "modes": [
            ("standard", "Standard"),
            ("challenge", "Challenge"),
            ("relax", "Relax"),
            ("binge", "Binge"),
        ],
        "course": course,
        "next_url": next_url,
        "next_title": view.next_lesson.title if view.next_lesson else "",
        "is_module_end": bool(view.next_lesson)
        and not any(
            lesson_in_module.pk == view.next_lesson.id
            for lesson_in_module in lesson.module.lessons.all()
        ),
        "countdown": preference.binge_countdown_seconds,
        "relax_interval_minutes": preference.relax_interval_minutes,
    }


def _next_is_in_another_module(course: Any, lesson: Any, view: Any) -> bool:
    """From the outline the player already loaded (no query)."""
    if view.next_lesson is None:
        return False
    for module in course.modules.all():
        ids = {item.pk for item in module.lessons.all()}
        if lesson.pk in ids:
            return view.next_lesson.id not in ids
    return False
