from core.exceptions import ApplicationError, ConflictError


class ApplicationAlreadyPendingError(ConflictError):
    default_code = "application_pending"


class AlreadyInstructorError(ApplicationError):
    default_code = "already_instructor"


class ApplicationAlreadyReviewedError(ConflictError):
    default_code = "application_reviewed"


class LastAdminError(ApplicationError):
    default_code = "last_admin"


class LastAdminAccountError(ConflictError):
    default_code = "last_admin"


class WrongPasswordError(ApplicationError):
    default_code = "validation_error"
