"""The inbox page and its actions, notification preferences, following instructors, and the PWA's
manifest, service worker and offline page."""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError, NotFoundError
from core.http import safe_next_url
from core.roles import STAFF_ROLES
from notifications import selectors, services, webpush_client
from notifications.forms import AnnouncementForm
from notifications.models import Kind, Notification

# Bump when the app shell (offline page, core CSS/JS) changes so browsers drop the old copy.
SERVICE_WORKER_VERSION = "2"
THEME_COLOUR = "#4338ca"
CHANNELS = [("in_app", "In Lumen"), ("email", "Email"), ("push", "Push")]


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(recipient=request.user)
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    try:
        notification = services.notification_mark_read(
            user=request.user, notification_id=notification_id
        )
    except services.NotificationNotFoundError as error:
        raise Http404(error.message) from error
    if request.POST.get("follow") == "1":
        return redirect(safe_next_url(request, notification.link, "notifications:inbox"))
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    changed = services.notification_mark_all_read(user=request.user)
    messages.success(request, f"{changed} notification{'s' if changed != 1 else ''} marked read.")
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    """Per kind: in the app, by email, by push; and this device's push subscription."""
    if request.method == "POST":
        for kind in Kind.values:
            services.preference_set(
                user=request.user,
                kind=kind,
                **{channel: f"{kind}:{channel}" in request.POST for channel, _ in CHANNELS},
            )
        messages.success(request, "Notification preferences saved.")
        return redirect("notifications:preferences")
    rows = [
        {
            **row,
            "channels": [
                {"name": f"{row['kind']}:{channel}", "label": label, "on": row[channel]}
                for channel, label in CHANNELS
            ],
        }
        for row in selectors.preference_list_for_user(user=request.user)
    ]
    return render(
        request,
        "notifications/preferences.html",
        {
            "rows": rows,
            "channels": CHANNELS,
            "push_public_key": (
                settings.VAPID_PUBLIC_KEY if webpush_client.is_configured() else ""
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def announce(request: HttpRequest) -> HttpResponse:
    """An instructor's announcement to every learner of one of their courses."""
    if request.user.role not in STAFF_ROLES:
        raise PermissionDenied("Only instructors can send course announcements.")
    form = AnnouncementForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            # A resubmitted form (back button, double click) announces once.
            recipients = services.course_announcement_send(
                course=form.cleaned_data["course"],
                author=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                key=request.POST.get("key", "")[:64],
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            plural = "s" if recipients != 1 else ""
            messages.success(request, f"Announcement on its way to {recipients} learner{plural}.")
            return redirect("notifications:announce")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "notifications/announce.html",
        {
            "form": form,
            "key": uuid.uuid4().hex,
            "teaches": form.fields["course"].queryset.exists(),  # type: ignore[attr-defined]
        },
        status=status,
    )


FOLLOWING_PAGE_SIZE = 30


@login_required
@require_GET
def following(request: HttpRequest) -> HttpResponse:
    """The instructors the user follows, each with a way to stop."""
    follows = selectors.instructor_follow_list_for_follower(follower=request.user)
    page = Paginator(follows, FOLLOWING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/following.html", {"page": page})


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(safe_next_url(request, request.POST.get("next"), "notifications:following"))


def _instructor_or_404(instructor_id: int) -> object:
    try:
        return selectors.instructor_get_followable(instructor_id=instructor_id)
    except NotFoundError as error:
        raise Http404(error.message) from error


@login_required
@require_POST
def instructor_follow(request: HttpRequest, instructor_id: int) -> HttpResponse:
    instructor = _instructor_or_404(instructor_id)
    name = getattr(instructor, "display_name", "") or "this instructor"
    try:
        services.instructor_follow(follower=request.user, instructor=instructor)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"You follow {name}: their new courses will reach you.")
    return _back(request)


@login_required
@require_POST
def instructor_unfollow(request: HttpRequest, instructor_id: int) -> HttpResponse:
    instructor = _instructor_or_404(instructor_id)
    name = getattr(instructor, "display_name", "") or "this instructor"
    if services.instructor_unfollow(follower=request.user, instructor=instructor):
        messages.success(request, f"You no longer follow {name}.")
    return _back(request)


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: what makes Lumen installable."""
    name = getattr(settings, "SITE_NAME", "Lumen") or "Lumen"
    data = {
        "id": "/",
        "name": name,
        "short_name": name[:12],
        "description": "Courses, quizzes, peer help and study tools, online and offline.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": [
            {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("img/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the site root so its scope is the whole site."""
    shell = [
        "/offline/",
        static("css/lumen.css"),
        static("js/lumen.js"),
        static("js/pwa.js"),
        static("js/notifications.js"),
        static("vendor/htmx/htmx.min.js"),
        static("img/lumen-mark.svg"),
        static("img/favicon.svg"),
        static("img/icon-192.png"),
    ]
    response = render(
        request,
        "notifications/sw.js",
        {
            "version": SERVICE_WORKER_VERSION,
            "shell_json": json.dumps(shell),
            "static_prefix_json": json.dumps(settings.STATIC_URL),
            "media_prefix_json": json.dumps(settings.MEDIA_URL),
            "icon_json": json.dumps(static("img/icon-192.png")),
            "stylesheet_json": json.dumps(static("css/lumen.css")),
            "pwa_script_json": json.dumps(static("js/pwa.js")),
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    # Browsers look for a new worker on navigation; no proxy may keep an old one.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker when a page is neither reachable nor saved on the device."""
    return render(request, "notifications/offline.html", {"theme_colour": THEME_COLOUR})
