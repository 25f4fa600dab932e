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
    path(
        "notifications/preferences",
        views.NotificationPreferenceListApi.as_view(),
        name="notifications-preferences",
    ),
    path(
        "notifications/preferences/<str:kind>",
        views.NotificationPreferenceUpdateApi.as_view(),
        name="notifications-preference",
    ),
    path("notifications/push/key", views.PushKeyApi.as_view(), name="notifications-push-key"),
    path(
        "notifications/push/subscriptions",
        views.PushSubscriptionCreateApi.as_view(),
        name="notifications-push-subscribe",
    ),
    path(
        "notifications/push/subscriptions/delete",
        views.PushSubscriptionDeleteApi.as_view(),
        name="notifications-push-unsubscribe",
    ),
    path(
        "instructors/following",
        views.InstructorFollowListApi.as_view(),
        name="instructors-following",
    ),
    path(
        "instructors/<int:instructor_id>/follow",
        views.InstructorFollowApi.as_view(),
        name="instructor-follow",
    ),
    path(
        "courses/<int:course_id>/announcements",
        views.CourseAnnouncementCreateApi.as_view(),
        name="course-announcements",
    ),
]
