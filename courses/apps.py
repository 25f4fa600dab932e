from django.apps import AppConfig
from django.db.models.signals import post_delete


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        from courses.models import CourseReview
        from courses.services.reviews import review_deleted

        # Also when the learner's account goes (a cascade): the course's average follows.
        post_delete.connect(review_deleted, sender=CourseReview, dispatch_uid="courses-review")
