from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/<int:notification_id>/read/", views.mark_read, name="read"),
    path("notifications/read-all/", views.mark_all_read, name="read-all"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/announce/", views.announce, name="announce"),
    path("notifications/following/", views.following, name="following"),
    path(
        "instructors/<int:instructor_id>/follow/",
        views.instructor_follow,
        name="instructor-follow",
    ),
    path(
        "instructors/<int:instructor_id>/unfollow/",
        views.instructor_unfollow,
        name="instructor-unfollow",
    ),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("offline/", views.offline, name="offline"),
]
