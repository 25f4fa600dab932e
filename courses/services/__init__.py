"""Every write to courses goes through these services (keyword-only, atomic, events on commit).

authoring: courses, their outline and questions. learning: enrollment, lesson progress, course
completion and certificates. quizzes: attempts and grading. counters: the enrolment and lesson
counts stored on each course (moved by the others, recounted by `manage.py courses_recount`).
"""

from courses.services.authoring import (
    category_get_or_create,
    course_archive,
    course_create,
    course_delete,
    course_publish,
    course_readiness_problems,
    course_unpublish,
    course_update,
    estimated_hours_from_outline,
    lesson_create,
    lesson_quiz_ensure,
    lesson_save,
    module_create,
    module_save,
    question_choices_set,
    question_create,
    question_problem,
    tags_get_or_create,
)
from courses.services.counters import course_counts_drift, course_counts_recount
from courses.services.learning import (
    certificate_issue,
    enrollment_create,
    lesson_complete,
    lesson_position_save,
    lesson_reading_report,
    lesson_start,
    lesson_uncomplete,
)
from courses.services.quizzes import (
    DEADLINE_GRACE_SECONDS,
    grade_question,
    normalize_short_answer,
    quiz_attempt_answer_save,
    quiz_attempt_close_expired,
    quiz_attempt_question_check,
    quiz_attempt_start,
    quiz_attempt_submit,
    quiz_attempt_take,
)
from courses.services.reviews import review_delete, review_submit

__all__ = [
    "DEADLINE_GRACE_SECONDS",
    "category_get_or_create",
    "certificate_issue",
    "course_archive",
    "course_counts_drift",
    "course_counts_recount",
    "course_create",
    "course_delete",
    "course_publish",
    "course_readiness_problems",
    "course_unpublish",
    "course_update",
    "enrollment_create",
    "estimated_hours_from_outline",
    "grade_question",
    "lesson_complete",
    "lesson_create",
    "lesson_position_save",
    "lesson_quiz_ensure",
    "lesson_reading_report",
    "lesson_save",
    "lesson_start",
    "lesson_uncomplete",
    "module_create",
    "module_save",
    "normalize_short_answer",
    "question_choices_set",
    "question_create",
    "question_problem",
    "quiz_attempt_answer_save",
    "quiz_attempt_close_expired",
    "quiz_attempt_question_check",
    "quiz_attempt_start",
    "quiz_attempt_submit",
    "quiz_attempt_take",
    "review_delete",
    "review_submit",
    "tags_get_or_create",
]
