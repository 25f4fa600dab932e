from django.urls import path

from accounts.api import views

urlpatterns = [
    path("auth/register", views.AuthRegisterApi.as_view(), name="auth-register"),
    path("auth/login", views.AuthLoginApi.as_view(), name="auth-login"),
    path("auth/refresh", views.AuthRefreshApi.as_view(), name="auth-refresh"),
    path("auth/logout", views.AuthLogoutApi.as_view(), name="auth-logout"),
    path("users/profile", views.ProfileRetrieveUpdateApi.as_view(), name="profile"),
    path("users/password", views.UserPasswordChangeApi.as_view(), name="password-change"),
    path("users/export", views.UserDataExportApi.as_view(), name="user-data-export"),
    path("users/delete", views.UserAccountDeleteApi.as_view(), name="user-account-delete"),
    path(
        "teacher-applications",
        views.TeacherApplicationListCreateApi.as_view(),
        name="teacher-applications",
    ),
    path("admin/users", views.AdminUserListApi.as_view(), name="admin-users"),
    path(
        "admin/users/<int:user_id>/role",
        views.AdminUserRoleSetApi.as_view(),
        name="admin-user-role",
    ),
    path(
        "admin/users/<int:user_id>/deactivate",
        views.AdminUserDeactivateApi.as_view(),
        name="admin-user-deactivate",
    ),
    path(
        "admin/teacher-applications",
        views.AdminTeacherApplicationListApi.as_view(),
        name="admin-teacher-applications",
    ),
    path(
        "admin/teacher-applications/<int:application_id>/review",
        views.AdminTeacherApplicationReviewApi.as_view(),
        name="admin-teacher-application-review",
    ),
]
