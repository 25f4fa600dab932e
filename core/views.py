"""Process health endpoints for load balancers and orchestrators, the home page, the API docs."""

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularRedocView

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
