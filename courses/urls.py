"""Learner pages (included at the site root by lms/urls.py)."""

from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("courses/", views.course_list, name="list"),
    path("courses/<slug:slug>/", views.course_detail, name="detail"),
    path("courses/<slug:slug>/enroll/", views.course_enroll, name="enroll"),
    path("courses/<slug:slug>/complete/", views.course_complete, name="complete"),
    path("learn/<slug:course_slug>/<int:lesson_id>/", views.lesson_detail, name="lesson"),
    path(
        "learn/<slug:course_slug>/<int:lesson_id>/position/",
        views.lesson_position,
        name="lesson_position",
    ),
    path(
        "learn/<slug:course_slug>/<int:lesson_id>/complete/",
        views.lesson_complete,
        name="lesson_complete",
    ),
    path("learn/<slug:course_slug>/<int:lesson_id>/quiz/", views.quiz_start, name="quiz_start"),
    path(
        "learn/<slug:course_slug>/attempts/<int:attempt_id>/",
        views.quiz_attempt_detail,
        name="attempt",
    ),
    path(
        "learn/<slug:course_slug>/attempts/<int:attempt_id>/submit/",
        views.quiz_attempt_submit,
        name="attempt_submit",
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("certificates/<uuid:public_id>/", views.certificate_verify, name="certificate_verify"),
    path("certificates/<uuid:public_id>/pdf/", views.certificate_pdf, name="certificate_pdf"),
]
