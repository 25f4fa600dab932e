"""Gamification pages: your profile (level, XP, badges, streak calendar, history), leaderboards,
and the public Open Badges assertion of an earned badge. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from courses.models import Course
from gamification import achievements as catalogue
from gamification import selectors, services
from gamification.exceptions import InvalidLeaderboardError
from gamification.models import EarnedAchievement


@login_required
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    statuses = selectors.achievement_list_for_user(request.user)
    history = Paginator(selectors.ledger_list_for_user(request.user), 20).get_page(
        request.GET.get("page")
    )
    groups = [
        (group, [status for status in statuses if status.achievement.group == group])
        for group in catalogue.GROUPS
    ]
    return render(
        request,
        "gamification/profile.html",
        {
            "stats": selectors.stats_get(request.user),
            "groups": groups,
            "earned_count": sum(1 for status in statuses if status.earned),
            "achievement_count": len(statuses),
            "calendar": selectors.calendar_for_user(request.user),
            "history": history,
        },
    )


@login_required
@require_POST
def visibility(request: HttpRequest) -> HttpResponse:
    is_hidden = request.POST.get("is_hidden") == "1"
    services.leaderboard_visibility_set(user=request.user, is_hidden=is_hidden)
    messages.success(
        request,
        "You are hidden from public leaderboards."
        if is_hidden
        else "You are shown on public leaderboards.",
    )
    return redirect("gamification:profile")


@require_GET
def leaderboard(request: HttpRequest) -> HttpResponse:
    scope = request.GET.get("scope", "global")
    period = request.GET.get("period", "week")
    course = None
    if scope == "course":
        course_id = request.GET.get("course", "")
        if not course_id.isdigit():
            raise Http404("No such course.")
        course = get_object_or_404(Course, pk=int(course_id))
    try:
        page = selectors.leaderboard_get(
            viewer=request.user,
            scope=scope,
            period=period,
            course_id=course.pk if course else None,
        )
    except InvalidLeaderboardError as error:
        messages.error(request, error.message)
        return redirect("gamification:leaderboard")
    base = reverse("gamification:leaderboard")
    course_query = f"&course={course.pk}" if course else ""
    tabs = [
        {
            "label": label,
            "url": f"{base}?scope={scope}&period={value}{course_query}",
            "is_current": value == period,
        }
        for value, label in (("week", "This week"), ("all", "All time"))
    ]
    return render(
        request,
        "gamification/leaderboard.html",
        {"page": page, "course": course, "tabs": tabs},
    )


@require_GET
def badge_assertion(request: HttpRequest, assertion_id: str) -> JsonResponse:
    """An Open Badges 2.0 assertion (hosted verification) for one earned badge."""
    earned = get_object_or_404(
        EarnedAchievement.objects.select_related("user"), assertion_id=assertion_id
    )
    achievement = catalogue.BY_CODE.get(earned.code)
    if achievement is None:
        raise Http404("This badge no longer exists.")
    url = request.build_absolute_uri
    badge_url = url(reverse("gamification:badge_class", args=[achievement.code]))
    return JsonResponse(
        {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "Assertion",
            "id": url(request.path),
            "recipient": {
                "type": "email",
                "hashed": False,
                "identity": earned.user.email,
            },
            "badge": badge_url,
            "issuedOn": earned.earned_at.isoformat(),
            "verification": {"type": "hosted"},
        }
    )


@require_GET
def badge_class(request: HttpRequest, code: str) -> JsonResponse:
    achievement = catalogue.BY_CODE.get(code)
    if achievement is None:
        raise Http404("No such badge.")
    url = request.build_absolute_uri
    return JsonResponse(
        {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "BadgeClass",
            "id": url(request.path),
            "name": achievement.name,
            "description": achievement.description,
            "image": url(f"/static/gamification/badges/{achievement.icon}.svg"),
            "criteria": {"narrative": achievement.description},
            "issuer": url(reverse("gamification:issuer")),
            "tags": [achievement.group, achievement.tier],
        }
    )


@require_GET
def issuer(request: HttpRequest) -> JsonResponse:
    from django.conf import settings

    return JsonResponse(
        {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "Profile",
            "id": request.build_absolute_uri(request.path),
            "name": getattr(settings, "SITE_NAME", "Lumen"),
            "url": request.build_absolute_uri("/"),
        }
    )
