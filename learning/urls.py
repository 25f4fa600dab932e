from django.urls import path

from learning import views

app_name = "learning"

urlpatterns = [
    path("review/", views.review, name="review"),
    path("review/<int:card_id>/rate/", views.review_rate, name="review-rate"),
    path("learning/preferences/", views.preferences, name="preferences"),
    path("learning/mode/", views.default_mode, name="default-mode"),
    path("learning/mode/<int:course_id>/", views.course_mode, name="course-mode"),
    path("learning/relax/status/", views.relax_status, name="relax-status"),
    path("learning/relax/break/", views.relax_break, name="relax-break"),
    path("challenges/start/<int:course_id>/", views.challenge_start, name="challenge-start"),
    path(
        "challenges/start/category/<slug:slug>/",
        views.category_challenge_start,
        name="category-challenge-start",
    ),
    path("challenges/<int:run_id>/", views.challenge, name="challenge"),
]
