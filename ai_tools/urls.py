"""/ai/: the AI tools' pages."""

from django.urls import path

from ai_tools import views

app_name = "ai_tools"

urlpatterns = [
    path("", views.index, name="index"),
    path("lessons/<int:lesson_id>/", views.lesson_tools, name="lesson"),
    path("lessons/<int:lesson_id>/summary/", views.summary_create, name="summary_create"),
    path("lessons/<int:lesson_id>/practice/", views.practice_create, name="practice_create"),
    path("practice/<int:practice_set_id>/", views.practice_detail, name="practice"),
    path("courses/<int:course_id>/study-buddy/", views.study_buddy, name="study_buddy"),
    path("skills/", views.skill_gaps, name="skill_gaps"),
]
