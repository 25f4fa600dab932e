from django.urls import path

from accounts import views

urlpatterns = [
    path("profile/", views.profile_edit, name="profile"),
    path("profile/theme/", views.theme_set, name="theme_set"),
    path("teach/", views.teacher_application_create, name="teach"),
    path("profile/privacy/", views.privacy, name="privacy"),
    path("profile/privacy/export/", views.privacy_export, name="privacy_export"),
    path("profile/privacy/delete/", views.account_delete, name="account_delete"),
]
