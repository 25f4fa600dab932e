"""Process health endpoints for load balancers and orchestrators, the home page, the API docs."""

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularRedocView

from core.api import error_body
from core.health import readiness


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive (no dependency is touched)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Database, cache and broker are reachable; 503 naming the ones that are not."""
    checks = readiness()
    failed = sorted(name for name, result in checks.items() if result != "ok")
    if failed:
        return JsonResponse(
            {"status": "unavailable", "failed": failed, "checks": checks}, status=503
        )
    return JsonResponse({"status": "ok", "checks": checks})


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: the API's JSON error shape under /api/ (a URL no route matches, such as
    /api/v1/courses/-1), the HTML page elsewhere."""
    if _is_api(request):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: never a traceback; JSON under /api/ (errors raised outside DRF's handler,
    e.g. in middleware), the HTML page elsewhere."""
    if _is_api(request):
        return JsonResponse(
            error_body("server_error", "Something went wrong on our side. It has been logged."),
            status=500,
        )
    return defaults.server_error(request)


def home(request: HttpRequest) -> HttpResponse:
    """The landing page."""
    return render(request, "home.html")


# Redoc styles itself by injecting <style> elements (styled-components), which the policy's
# `style-src 'self'` blocks, leaving a blank page, and runs its search in a worker made from a
# blob: URL. This one page allows both; scripts stay same-origin files only.
_REDOC_POLICY = {"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}
api_redoc = csp_update(_REDOC_POLICY)(
    csp_update(_REDOC_POLICY, REPORT_ONLY=True)(SpectacularRedocView.as_view(url_name="schema"))
)
