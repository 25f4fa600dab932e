from django.urls import path

from accounts import views

urlpatterns = [
    path("profile/", views.profile_edit, name="profile"),
    path("profile/theme/", views.theme_set, name="theme_set"),
    path("teach/", views.teacher_application_create, name="teach"),
]
