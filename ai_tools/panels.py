"""Pieces of the core's pages that the AI tools fill in (settings.PLAYER_PANELS and
DASHBOARD_PANELS): the courses app renders them without importing this app."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ai_tools import selectors
from ai_tools.forms import KIND_LABELS, QuestionForm
from ai_tools.providers.base import QUESTION_KINDS
from billing import entitlements as billing_entitlements
from courses.models import Lesson

PLAYER_PRACTICE_COUNT = 5
DASHBOARD_SKILLS = 6


def player_lesson_tools(
    request: HttpRequest, *, course: Any, lesson: Any, view: Any
) -> dict[str, Any] | None:
    """The player's study tools for the open lesson: summarise it, practise it, ask the study
    buddy about it (or, without a plan that has the tools, where to get them). Nothing on a
    locked lesson or a quiz (the tools would answer it). One query (none for staff)."""
    if not request.user.is_authenticated or not view.can_access:
        return None
    if lesson.kind == Lesson.Kind.QUIZ:
        return None
    question_form = QuestionForm(auto_id="player-ai-%s")
    question_form.fields["question"].label = "Your question about this lesson"
    return {
        "template": "ai_tools/lesson_tools_panel.html",
        "lesson": lesson,
        "course": course,
        # One query: the player's query budget is tight, so the quota is shown on /ai/ instead.
        "can_use": billing_entitlements.can_use_ai_tools(request.user),
        "required_plan": billing_entitlements.ai_tools_plan(),
        "can_chat": view.enrollment is not None,
        "question_form": question_form,
        "practice_count": PLAYER_PRACTICE_COUNT,
        "practice_kinds": list(QUESTION_KINDS),
        "practice_kind_labels": " and ".join(KIND_LABELS[kind].lower() for kind in QUESTION_KINDS),
    }


def dashboard_skill_gaps(request: HttpRequest) -> dict[str, Any] | None:
    """The dashboard's skill chart (with a table of the same figures) and the weakest skills,
    for users whose plan has the AI tools; a pointer to the plans for the others."""
    if not request.user.is_authenticated:
        return None
    can_use = billing_entitlements.can_use_ai_tools(request.user)
    report = selectors.skill_gap_report(user=request.user) if can_use else None
    return {
        "template": "ai_tools/skill_chart.html",
        "can_use": can_use,
        "required_plan": billing_entitlements.ai_tools_plan(),
        "report": report,
        "skills": report.skills[:DASHBOARD_SKILLS] if report else [],
    }
