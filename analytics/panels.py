"""The learner's own week on their dashboard (settings.DASHBOARD_PANELS): minutes learned each of
the last seven days (from the daily roll-ups, at most 15 minutes behind), days active, and the
streak and level the gamification engine keeps. Two queries."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from analytics import selectors
from gamification import levels
from gamification import selectors as gamification_selectors


def dashboard_week(request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.is_authenticated:
        return None
    week = selectors.learner_week(learner=request.user)
    stats = gamification_selectors.learner_stats_for_request(request)
    return {
        "template": "analytics/_dashboard_week.html",
        "week": week,
        "streak": stats.current_streak,
        "longest_streak": stats.longest_streak,
        "level": levels.level_for_xp(stats.total_xp),
    }
