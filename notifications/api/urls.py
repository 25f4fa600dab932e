from django.urls import path

from notifications.api import views

urlpatterns = [
    path("notifications", views.NotificationListApi.as_view(), name="notification-list"),
    path(
        "notifications/unread-count",
        views.NotificationUnreadCountApi.as_view(),
        name="notification-unread-count",
    ),
    path(
        "notifications/<int:notification_id>/read",
        views.NotificationMarkReadApi.as_view(),
        name="notification-mark-read",
    ),
    path(
        "notifications/read-all",
        views.NotificationMarkAllReadApi.as_view(),
        name="notification-mark-all-read",
    ),
    path(
        "notifications/preferences",
        views.NotificationPreferencesApi.as_view(),
        name="notification-preferences",
    ),
    path(
        "notifications/push-subscriptions",
        views.PushSubscriptionApi.as_view(),
        name="notification-push-subscriptions",
    ),
]
