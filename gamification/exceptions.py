from core.exceptions import ApplicationError, NotFoundError, PermissionDeniedError


class InvalidAwardError(ApplicationError):
    default_code = "invalid_award"


class GrantNotAllowedError(PermissionDeniedError):
    default_code = "grant_not_allowed"


class StudyGroupNotFoundError(NotFoundError):
    default_code = "study_group_not_found"


class StudyGroupFullError(ApplicationError):
    status_code = 409
    default_code = "study_group_full"


class StudyGroupLimitError(ApplicationError):
    status_code = 409
    default_code = "study_group_limit"
