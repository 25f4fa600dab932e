from django.apps import AppConfig
from django.db.models.signals import post_delete


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        from courses.models import CourseReview, Enrollment, Lesson
        from courses.services.counters import enrollment_deleted, lesson_deleted
        from courses.services.reviews import review_deleted

        # Also when the learner's account goes (a cascade): the course's average follows.
        post_delete.connect(review_deleted, sender=CourseReview, dispatch_uid="courses-review")
        # However the row goes (the admin, a cascade), the course's stored counts follow.
        post_delete.connect(
            enrollment_deleted, sender=Enrollment, dispatch_uid="courses-enrollment-count"
        )
        post_delete.connect(lesson_deleted, sender=Lesson, dispatch_uid="courses-lesson-count")
