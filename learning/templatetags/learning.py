"""`{% learning_panel %}`: the learning-mode panel the lesson player and the dashboard embed."""

from __future__ import annotations

from typing import Any

from django import template

from learning import selectors

register = template.Library()


@register.inclusion_tag("learning/learning_panel.html", takes_context=True)
def learning_panel(
    context: dict[str, Any], course: Any = None, lesson: Any = None, next_url: str = ""
) -> dict[str, Any]:
    """Due reviews, the mode in force (for `course` if given) and, in the player (`lesson`),
    what relax and binge modes need: the study clock and the next lesson (`next_url`, the player's
    address for it). At most four queries."""
    request = context["request"]
    user = request.user
    if not user.is_authenticated:
        return {"is_visible": False}
    preference = selectors.preference_get(learner=user)
    mode = selectors.mode_get(learner=user, course=course) if course else preference.mode
    following, is_module_end = selectors.lesson_next(lesson=lesson) if lesson else (None, False)
    return {
        "is_visible": True,
        "request": request,
        "mode": mode,
        "preference": preference,
        "due_count": selectors.review_count_due(learner=user),
        "course": course,
        "lesson": lesson,
        "next_lesson": following,
        "is_module_end": is_module_end,
        "next_url": next_url,
    }
