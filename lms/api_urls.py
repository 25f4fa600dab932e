"""/api/v1/: each app contributes its own API urls."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("courses.api.urls")),
    path("", include("gamification.api.urls")),
    path("", include("learning.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("qa.api.urls")),
    path("billing/", include("billing.api.urls")),
    path("", include("ai_tools.api.urls")),
    path("", include("analytics.api.urls")),
]
