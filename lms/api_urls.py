"""/api/v1/: each app contributes its own API urls."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("courses.api.urls")),
    path("", include("notifications.api.urls")),
]
