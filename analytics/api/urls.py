from django.urls import path

from analytics.api import views

urlpatterns = [
    path(
        "analytics/courses/<int:course_id>/summary",
        views.CourseAnalyticsSummaryApi.as_view(),
        name="analytics-course-summary",
    ),
    path(
        "analytics/courses/<int:course_id>/at-risk",
        views.CourseAtRiskLearnerListApi.as_view(),
        name="analytics-course-at-risk",
    ),
    path(
        "analytics/platform/summary",
        views.PlatformAnalyticsSummaryApi.as_view(),
        name="analytics-platform-summary",
    ),
    path("analytics/heartbeat", views.HeartbeatApi.as_view(), name="analytics-heartbeat"),
    path("analytics/me", views.MyStatsApi.as_view(), name="analytics-me"),
    path("analytics/me/data", views.MyAnalyticsDataApi.as_view(), name="analytics-me-data"),
]
