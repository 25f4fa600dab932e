from core.exceptions import ApplicationError


class UnknownEventKindError(ApplicationError):
    status_code = 400
    default_code = "unknown_event_kind"


class InvalidDateRangeError(ApplicationError):
    status_code = 400
    default_code = "invalid_date_range"


class NudgeAlreadySentError(ApplicationError):
    status_code = 409
    default_code = "nudge_already_sent"


class NotEnrolledError(ApplicationError):
    status_code = 403
    default_code = "not_enrolled"
