"""/api/v1/gamification/ routes."""

from django.urls import path

from gamification.api import views

urlpatterns = [
    path(
        "gamification/leaderboard",
        views.GamificationLeaderboardApi.as_view(),
        name="gamification-leaderboard",
    ),
    path(
        "gamification/achievements",
        views.GamificationAchievementListApi.as_view(),
        name="gamification-achievements",
    ),
    path("gamification/stats", views.GamificationStatsApi.as_view(), name="gamification-stats"),
    path("gamification/xp", views.GamificationXpGrantApi.as_view(), name="gamification-xp"),
]
