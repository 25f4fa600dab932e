from django.urls import path

from notifications.api import views

urlpatterns = [
    path("notifications", views.NotificationListApi.as_view(), name="notifications-list"),
    path(
        "notifications/read-all",
        views.NotificationReadAllApi.as_view(),
        name="notifications-read-all",
    ),
    path(
        "notifications/<int:notification_id>/read",
        views.NotificationReadApi.as_view(),
        name="notifications-read",
    ),
]
