"""HTML routes, the health endpoints, the API and its documentation."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import views as core_views
from core.media import media_serve

# The admin's own login has no rate limit or two-factor step: send it through allauth's.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Lumen administration"
admin.site.site_title = "Lumen admin"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("courses.urls")),
    path("", include("gamification.urls")),
    path("", include("learning.urls")),
    path("", include("notifications.urls")),
    path("questions/", include("qa.urls")),
    path("admin/", admin.site.urls),
    path("", include("billing.urls")),
    path("djstripe/", include("djstripe.urls", namespace="djstripe")),
    path("ai/", include("ai_tools.urls")),
    path("api/v1/", include("lms.api_urls")),
    path("", include("analytics.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script as a file: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", core_views.api_redoc, name="redoc"),
]

if settings.SERVE_MEDIA:
    # Uploaded files in development and tests; production serves them from its storage.
    urlpatterns.append(path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", media_serve))

# The API's JSON error shape for unmatched /api/ URLs and errors raised outside DRF.
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
