"""Process health endpoints for load balancers and orchestrators."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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
