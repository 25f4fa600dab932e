from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/<int:notification_id>/read", views.notification_read, name="read"),
    path("notifications/read-all", views.notification_read_all, name="read_all"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("offline/", views.offline, name="offline"),
]
