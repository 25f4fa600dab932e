from django.urls import path

from gamification import views

app_name = "gamification"

urlpatterns = [
    path("progress/", views.progress, name="progress"),
    path("progress/visibility/", views.visibility_set, name="visibility"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("league/", views.league, name="league"),
    path("groups/", views.study_group_create, name="group-create"),
    path("groups/join/<str:invite_code>/", views.study_group_join, name="group-join"),
    path("groups/<int:group_id>/leave/", views.study_group_leave, name="group-leave"),
    path("badges/issuer.json", views.badge_issuer, name="badge-issuer"),
    path("badges/classes/<str:code>.json", views.badge_class, name="badge-class"),
    path(
        "badges/assertions/<str:assertion_id>.json",
        views.badge_assertion,
        name="badge-assertion",
    ),
]
