"""HTML pages: the inbox, preferences, and the PWA's manifest, service worker and offline page."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from notifications import selectors, services
from notifications.models import Kind

# Bump when the shell (offline page, core CSS/JS) changes so clients drop the old cache.
SERVICE_WORKER_VERSION = "1"
CHANNELS = [("in_app", "In Lumen"), ("email", "Email"), ("push", "Push")]


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.notification_list_for_user(user=request.user)
    page = Paginator(queryset, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "unread_count": selectors.notification_unread_count(user=request.user)},
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    try:
        notification = services.notification_mark_read(
            user=request.user, notification_id=notification_id
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("notifications:list")
    if request.POST.get("open") and notification.link.startswith("/"):
        return redirect(notification.link)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    marked = services.notification_mark_all_read(user=request.user)
    messages.success(request, f"Marked {marked} notification{'s' if marked != 1 else ''} read.")
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        changes = {
            kind: {channel: f"{kind}:{channel}" in request.POST for channel, _ in CHANNELS}
            for kind in Kind.values
        }
        services.preferences_update(user=request.user, changes=changes)
        messages.success(request, "Notification preferences saved.")
        return redirect("notifications:preferences")
    current = selectors.preference_map_for_user(user=request.user)
    rows = [
        {
            "kind": kind,
            "label": label,
            "channels": [
                {"name": f"{kind}:{channel}", "label": channel_label, "on": current[kind][channel]}
                for channel, channel_label in CHANNELS
            ],
        }
        for kind, label in Kind.choices
    ]
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "channels": CHANNELS, "push_public_key": settings.VAPID_PUBLIC_KEY},
    )


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
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#4f46e5",
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
    """The service worker, from the site root so its scope is the whole site."""
    shell = [
        "/offline/",
        static("css/lumen.css"),
        static("js/lumen.js"),
        static("vendor/htmx/htmx.min.js"),
        static("notifications/notifications.js"),
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
            "icon_json": json.dumps(static("img/icon-192.png")),
        },
        content_type="text/javascript",
    )
    response["Service-Worker-Allowed"] = "/"
    # Browsers check for a new worker on navigation; never let a proxy keep an old one.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker when a page is neither reachable nor cached."""
    return render(request, "notifications/offline.html")
