"""/api/v1/ routes of learning: reviews, mode preferences, the study clock, binge's next lesson."""

from django.urls import path

from learning.api import views

urlpatterns = [
    path("reviews/due", views.ReviewDueListApi.as_view(), name="review-due"),
    path("reviews/stats", views.ReviewStatsApi.as_view(), name="review-stats"),
    path("reviews/<int:card_id>", views.ReviewCreateApi.as_view(), name="review-create"),
    path("learning/preferences", views.PreferenceApi.as_view(), name="learning-preferences"),
    path(
        "learning/courses/<int:course_id>/mode",
        views.CourseModeApi.as_view(),
        name="learning-course-mode",
    ),
    path("learning/heartbeat", views.StudyHeartbeatApi.as_view(), name="learning-heartbeat"),
    path("learning/break", views.StudyBreakApi.as_view(), name="learning-break"),
    path(
        "learning/lessons/<int:lesson_id>/next",
        views.LessonNextApi.as_view(),
        name="learning-lesson-next",
    ),
    path("challenges/runs", views.ChallengeRunStartApi.as_view(), name="challenge-start"),
    path(
        "challenges/runs/<int:run_id>",
        views.ChallengeRunDetailApi.as_view(),
        name="challenge-run",
    ),
    path(
        "challenges/runs/<int:run_id>/submit",
        views.ChallengeRunSubmitApi.as_view(),
        name="challenge-submit",
    ),
    path(
        "challenges/leaderboard",
        views.ChallengeLeaderboardApi.as_view(),
        name="challenge-leaderboard",
    ),
]
