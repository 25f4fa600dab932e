from django.urls import path

from analytics import views
from analytics.api.views import metrics_view

app_name = "analytics"

urlpatterns = [
    path("teach/analytics/", views.teach_dashboard, name="teach"),
    path("teach/analytics/nudge/<int:enrollment_id>/", views.learner_nudge, name="nudge"),
    path("staff/analytics/", views.staff_dashboard, name="staff"),
    path("metrics", metrics_view, name="metrics"),
]
