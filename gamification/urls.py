from django.urls import path

from gamification import views

app_name = "gamification"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("visibility/", views.visibility, name="visibility"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("badges/issuer.json", views.issuer, name="issuer"),
    path("badges/<slug:code>.json", views.badge_class, name="badge_class"),
    path("assertions/<uuid:assertion_id>.json", views.badge_assertion, name="badge_assertion"),
]
