from django.urls import path

from learning import views

app_name = "learning"

urlpatterns = [
    path("review/", views.review_session, name="review"),
    path("review/<int:card_id>/rate", views.review_rate, name="rate"),
    path("learning/mode/", views.mode_settings, name="mode"),
]
