"""/api/v1/ routes of courses: courses, lessons, quizzes, attempts and certificates."""

from django.urls import path

from courses.api import views

urlpatterns = [
    path("courses", views.CourseListCreateApi.as_view(), name="course-list"),
    path("courses/<int:course_id>", views.CourseDetailApi.as_view(), name="course-detail"),
    path("courses/<int:course_id>/enroll", views.CourseEnrollApi.as_view(), name="course-enroll"),
    path(
        "courses/<int:course_id>/reviews",
        views.CourseReviewListApi.as_view(),
        name="course-reviews",
    ),
    path("courses/<int:course_id>/review", views.CourseReviewApi.as_view(), name="course-review"),
    path(
        "courses/<int:course_id>/progress",
        views.CourseProgressApi.as_view(),
        name="course-progress",
    ),
    path(
        "courses/<int:course_id>/lessons",
        views.CourseLessonListApi.as_view(),
        name="course-lessons",
    ),
    path("lessons/<int:lesson_id>", views.LessonDetailApi.as_view(), name="lesson-detail"),
    path(
        "lessons/<int:lesson_id>/complete",
        views.LessonCompleteApi.as_view(),
        name="lesson-complete",
    ),
    path(
        "lessons/<int:lesson_id>/position",
        views.LessonPositionApi.as_view(),
        name="lesson-position",
    ),
    path(
        "lessons/<int:lesson_id>/reading",
        views.LessonReadingApi.as_view(),
        name="lesson-reading",
    ),
    path("quizzes/<int:quiz_id>", views.QuizDetailApi.as_view(), name="quiz-detail"),
    path(
        "quizzes/<int:quiz_id>/attempts",
        views.QuizAttemptStartApi.as_view(),
        name="quiz-attempt-start",
    ),
    path(
        "quiz-attempts/<int:attempt_id>",
        views.QuizAttemptDetailApi.as_view(),
        name="quiz-attempt-detail",
    ),
    path(
        "quiz-attempts/<int:attempt_id>/questions/<int:question_id>/check",
        views.QuizAttemptQuestionCheckApi.as_view(),
        name="quiz-attempt-question-check",
    ),
    path(
        "quiz-attempts/<int:attempt_id>/submit",
        views.QuizAttemptSubmitApi.as_view(),
        name="quiz-attempt-submit",
    ),
    path("certificates", views.CertificateListApi.as_view(), name="certificate-list"),
    path(
        "certificates/<uuid:public_id>",
        views.CertificateVerifyApi.as_view(),
        name="certificate-verify",
    ),
]
