from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        from courses import catalog_cache
        from courses.models import Category, Course, CourseReview, Enrollment, Lesson
        from courses.services.counters import enrollment_deleted, lesson_deleted
        from courses.services.reviews import review_deleted

        # Also when the learner's account goes (a cascade): the course's average follows.
        post_delete.connect(review_deleted, sender=CourseReview, dispatch_uid="courses-review")
        # However the row goes (the admin, a cascade), the course's stored counts follow.
        post_delete.connect(
            enrollment_deleted, sender=Enrollment, dispatch_uid="courses-enrollment-count"
        )
        post_delete.connect(lesson_deleted, sender=Lesson, dispatch_uid="courses-lesson-count")
        # What the catalog's cached facets and results show (courses.catalog_cache).
        for model in (Course, Category, Lesson):
            for signal in (post_save, post_delete):
                signal.connect(
                    catalog_cache.changed, sender=model, dispatch_uid=f"catalog-{model.__name__}"
                )
        m2m_changed.connect(
            catalog_cache.changed,
            sender=Course.instructors.through,
            dispatch_uid="catalog-course-instructors",
        )
