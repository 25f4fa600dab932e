"""Rules of courses that a caller can break; each carries a message safe to show the learner."""

from core.exceptions import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError


class CourseNotFoundError(NotFoundError):
    default_code = "course_not_found"


class LessonNotFoundError(NotFoundError):
    default_code = "lesson_not_found"


class QuizNotFoundError(NotFoundError):
    default_code = "quiz_not_found"


class CertificateNotFoundError(NotFoundError):
    default_code = "certificate_not_found"


class CourseNotReadyError(ApplicationError):
    """Publishing a course whose outline is incomplete (listed in `fields`)."""

    default_code = "course_not_ready"


class InvalidInstructorsError(ApplicationError):
    default_code = "invalid_instructors"


class CourseHasLearnersError(ConflictError):
    default_code = "course_has_learners"


class NotCourseInstructorError(PermissionDeniedError):
    default_code = "not_course_instructor"


class EnrollmentClosedError(ApplicationError):
    """The course is a draft or archived, or still in early access."""

    default_code = "enrollment_closed"


class PlanRequiredError(PermissionDeniedError):
    default_code = "plan_required"


class NotEnrolledError(PermissionDeniedError):
    default_code = "not_enrolled"


class LessonLockedError(PermissionDeniedError):
    """The learner is not entitled to the lesson's content (not enrolled, not a free preview)."""

    default_code = "lesson_locked"


class ExamInProgressError(PermissionDeniedError):
    """An exam attempt is running: the rest of the course is hidden until it ends."""

    default_code = "exam_in_progress"


class InvalidPositionError(ApplicationError):
    default_code = "invalid_position"


class LessonNotCompletableError(ApplicationError):
    default_code = "lesson_not_completable"


class InvalidReadingReportError(ApplicationError):
    default_code = "invalid_reading_report"


class AttemptLimitReachedError(ConflictError):
    default_code = "attempt_limit_reached"


class AttemptStartRequiredError(ConflictError):
    """Answers in one call are refused where the clock or the draw must come first."""

    default_code = "attempt_start_required"


class AttemptAlreadySubmittedError(ConflictError):
    default_code = "attempt_already_submitted"


class AttemptDeadlinePassedError(ConflictError):
    default_code = "attempt_deadline_passed"


class NotAttemptOwnerError(NotFoundError):
    """Someone else's attempt: answered as not found so attempts cannot be probed."""

    default_code = "attempt_not_found"


class InvalidAnswerError(ApplicationError):
    default_code = "invalid_answer"


class ImmediateFeedbackOffError(ConflictError):
    """Checking one answer is for quizzes set to immediate feedback."""

    default_code = "immediate_feedback_off"


class AnswerLockedError(ConflictError):
    """An answer already checked (immediate feedback) cannot be changed."""

    default_code = "answer_locked"


class QuizHasNoQuestionsError(ApplicationError):
    default_code = "quiz_has_no_questions"


class CourseNotCompletedError(ConflictError):
    default_code = "course_not_completed"


class InvalidReviewError(ApplicationError):
    default_code = "invalid_review"


class ReviewTooEarlyError(PermissionDeniedError):
    """Ratings come from learners who have finished at least one lesson of the course."""

    default_code = "review_too_early"
