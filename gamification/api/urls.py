from django.urls import path

from gamification.api import views

urlpatterns = [
    path(
        "gamification/leaderboard", views.LeaderboardApi.as_view(), name="gamification-leaderboard"
    ),
    path(
        "gamification/achievements",
        views.AchievementListApi.as_view(),
        name="gamification-achievements",
    ),
    path("gamification/xp", views.XpGrantApi.as_view(), name="gamification-xp-grant"),
    path("gamification/league", views.LeagueApi.as_view(), name="gamification-league"),
    path("gamification/stats", views.StatsApi.as_view(), name="gamification-stats"),
]
