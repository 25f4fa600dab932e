from django.urls import path

from learning.api import views

urlpatterns = [
    path("reviews/due", views.ReviewDueApi.as_view(), name="reviews-due"),
    path("reviews/stats", views.ReviewStatsApi.as_view(), name="reviews-stats"),
    path("reviews/<int:card_id>", views.ReviewSubmitApi.as_view(), name="reviews-submit"),
    path("learning/preferences", views.PreferenceApi.as_view(), name="learning-preferences"),
    path("challenges", views.ChallengeStartApi.as_view(), name="challenges-start"),
    path(
        "challenges/leaderboard",
        views.ChallengeLeaderboardApi.as_view(),
        name="challenges-leaderboard",
    ),
    path("challenges/<int:run_id>", views.ChallengeDetailApi.as_view(), name="challenges-detail"),
    path(
        "challenges/<int:run_id>/submit",
        views.ChallengeSubmitApi.as_view(),
        name="challenges-submit",
    ),
]
