"""Gamification pages: your progress, leaderboards, study groups and Open Badges documents."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from courses.models import Course
from gamification import leaderboards, leagues, levels, selectors, services
from gamification.achievements import BY_CODE
from gamification.models import StudyGroup, UserAchievement

LAST_WEEK = "last"


@login_required
@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    user = request.user
    statuses = selectors.achievement_list_for_user(user=user)
    stats = selectors.learner_stats_for_request(request)
    context = {
        "stats": stats,
        "level": selectors.level_progress_for(user=user, stats=stats),
        "unlocks": sorted(levels.UNLOCKS.items()),
        "achievement_groups": selectors.achievement_groups(statuses),
        "earned_count": sum(1 for s in statuses if s.is_earned),
        "achievement_count": len(statuses),
        "calendar": selectors.activity_calendar(
            user=user, today=services.local_moment(user, timezone.now()).date()
        ),
        "history": selectors.xp_history(user=user),
        "groups": selectors.study_group_list_for_user(user=user),
        "league": selectors.league_get(user=user, stats=stats),
        "level_ups": selectors.level_up_history(user=user),
        "frame": levels.frame_for_level(stats.level),
    }
    return render(request, "gamification/progress.html", context)


@login_required
@require_POST
def visibility_set(request: HttpRequest) -> HttpResponse:
    hidden = request.POST.get("hidden") == "true"
    services.leaderboard_visibility_set(user=request.user, hidden=hidden)
    if hidden:
        messages.success(request, "You are hidden from public leaderboards.")
    else:
        messages.success(request, "You appear on leaderboards again.")
    return redirect("gamification:progress")


@login_required
@require_GET
def leaderboard(request: HttpRequest) -> HttpResponse:
    period = request.GET.get("period", "week")
    if period not in (leaderboards.WEEK, leaderboards.ALL_TIME, LAST_WEEK):
        period = leaderboards.WEEK
    this_week = leaderboards.week_start_of(timezone.now())
    last_week = this_week - dt.timedelta(days=7)
    scope = request.GET.get("scope", "global")
    courses = list(
        Course.objects.filter(
            enrollments__learner=request.user, status=Course.Status.PUBLISHED
        ).only("id", "title")
    )
    groups = list(selectors.study_group_list_for_user(user=request.user))
    course = group = None
    if scope == "course":
        course = next((c for c in courses if str(c.pk) == request.GET.get("course")), None)
        if course is None:
            course = courses[0] if courses else None
        if course is None:
            scope = "global"
    elif scope == "group":
        group = next((g for g in groups if str(g.pk) == request.GET.get("group")), None)
        if group is None:
            group = groups[0] if groups else None
        if group is None:
            scope = "global"
    else:
        scope = "global"
    if scope == "group":
        board = selectors.study_group_leaderboard(
            group=group,
            viewer=request.user,
            period=leaderboards.WEEK if period == LAST_WEEK else period,
            week_start=last_week if period == LAST_WEEK else None,
        )
    elif period == LAST_WEEK:  # the board recorded when last week closed
        board = selectors.leaderboard_history_get(
            scope=scope,
            course_id=course.pk if course else None,
            week_start=last_week,
            viewer=request.user,
        )
    else:
        spec = leaderboards.Board(
            scope=scope, period=period, course_id=course.pk if course else None
        ).resolved()
        board = selectors.leaderboard_get(board=spec, viewer=request.user, limit=10)
    context = {
        "board": board,
        "scope": scope,
        "period": period,
        "courses": courses,
        "groups": groups,
        "course": course,
        "group": group,
        "week_start": last_week if period == LAST_WEEK else this_week,
        "stats": selectors.learner_stats_for_request(request),
    }
    template = "gamification/leaderboard.html"
    if request.htmx:
        template += "#leaderboard-board"
    return render(request, template, context)


@login_required
@require_GET
def league(request: HttpRequest) -> HttpResponse:
    stats = selectors.learner_stats_for_request(request)
    context = {
        "league": selectors.league_get(user=request.user, stats=stats),
        "stats": stats,
        "tiers": leagues.TIERS,
    }
    return render(request, "gamification/league.html", context)


@login_required
@require_POST
def study_group_create(request: HttpRequest) -> HttpResponse:
    try:
        group = services.study_group_create(owner=request.user, name=request.POST.get("name", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("gamification:progress")
    messages.success(request, f"Study group “{group.name}” created. Share its invite link.")
    return redirect(f"{reverse('gamification:leaderboard')}?scope=group&group={group.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def study_group_join(request: HttpRequest, invite_code: str) -> HttpResponse:
    group = StudyGroup.objects.filter(invite_code=invite_code).select_related("owner").first()
    if group is None:
        raise Http404("This invite link is not valid.")
    if request.method == "POST":
        try:
            services.study_group_join(user=request.user, invite_code=invite_code)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("gamification:progress")
        messages.success(request, f"You joined “{group.name}”.")
        return redirect(f"{reverse('gamification:leaderboard')}?scope=group&group={group.pk}")
    return render(request, "gamification/group_join.html", {"group": group})


@login_required
@require_POST
def study_group_leave(request: HttpRequest, group_id: int) -> HttpResponse:
    group = get_object_or_404(StudyGroup, pk=group_id, memberships__user=request.user)
    services.study_group_leave(user=request.user, group=group)
    messages.success(request, f"You left “{group.name}”.")
    return redirect("gamification:progress")


# --- Open Badges 2.0 (hosted verification) ------------------------------------------------------


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


@require_GET
def badge_issuer(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "Issuer",
            "id": _absolute(request, reverse("gamification:badge-issuer")),
            "name": getattr(settings, "SITE_NAME", "Lumen"),
            "url": _absolute(request, "/"),
        }
    )


@require_GET
def badge_class(request: HttpRequest, code: str) -> JsonResponse:
    achievement = BY_CODE.get(code)
    if achievement is None:
        raise Http404("No such badge.")
    return JsonResponse(
        {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "BadgeClass",
            "id": _absolute(request, reverse("gamification:badge-class", args=[code])),
            "name": achievement.name,
            "description": achievement.description,
            "image": _absolute(request, "/static/img/lumen-mark.svg"),
            "criteria": {"narrative": achievement.description},
            "issuer": _absolute(request, reverse("gamification:badge-issuer")),
            "tags": [achievement.group, achievement.tier],
        }
    )


@require_GET
def badge_assertion(request: HttpRequest, assertion_id: str) -> JsonResponse:
    row = (
        UserAchievement.objects.filter(assertion_id=assertion_id).select_related("user").first()
        if _is_uuid(assertion_id)
        else None
    )
    if row is None or row.code not in BY_CODE:
        raise Http404("No such badge assertion.")
    salt = str(row.assertion_id)[:8]
    identity = hashlib.sha256((row.user.email.lower() + salt).encode()).hexdigest()
    return JsonResponse(
        {
            "@context": "https://w3id.org/openbadges/v2",
            "type": "Assertion",
            "id": _absolute(request, reverse("gamification:badge-assertion", args=[assertion_id])),
            "recipient": {
                "type": "email",
                "hashed": True,
                "salt": salt,
                "identity": f"sha256${identity}",
            },
            "badge": _absolute(request, reverse("gamification:badge-class", args=[row.code])),
            "issuedOn": row.earned_at.isoformat(),
            "verification": {"type": "hosted"},
        }
    )


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
