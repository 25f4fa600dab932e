from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("courses/", views.catalog, name="list"),
    path("courses/<slug:slug>/", views.course_detail, name="detail"),
    path("courses/<slug:slug>/enroll/", views.course_enroll, name="enroll"),
    path("courses/<slug:slug>/review/", views.course_review, name="review"),
    path("courses/<slug:slug>/complete/", views.course_complete, name="complete"),
    path("learn/<slug:course_slug>/<int:lesson_id>/", views.lesson_player, name="lesson"),
    path(
        "learn/<slug:course_slug>/<int:lesson_id>/preview/",
        views.lesson_preview,
        name="lesson_preview",
    ),
    path(
        "learn/<slug:course_slug>/<int:lesson_id>/progress/",
        views.lesson_progress,
        name="lesson_progress",
    ),
    path("lessons/<int:lesson_id>/position/", views.lesson_position, name="lesson_position"),
    path("lessons/<int:lesson_id>/reading/", views.lesson_reading, name="lesson_reading"),
    path("lessons/<int:lesson_id>/complete/", views.lesson_complete, name="lesson_complete"),
    path("quizzes/<int:quiz_id>/start/", views.quiz_start, name="quiz_start"),
    path("quiz-attempts/<int:attempt_id>/", views.quiz_attempt, name="attempt"),
    path(
        "quiz-attempts/<int:attempt_id>/questions/<int:question_id>/check/",
        views.quiz_attempt_check,
        name="attempt_check",
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("certificates/<str:public_id>/", views.certificate_verify, name="certificate_verify"),
    path(
        "certificates/<str:public_id>/pdf/",
        views.certificate_download,
        name="certificate_download",
    ),
]
