from core.exceptions import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError


class InvalidAwardError(ApplicationError):
    default_code = "invalid_award"


class LeagueCohortBusyError(ConflictError):
    """Every attempt to seat the learner in a cohort lost its race: transient, try again (the
    XP tasks retry it; nothing of the award was recorded)."""

    default_code = "league_busy"


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


class LevelTooLowError(PermissionDeniedError):
    """The learner has not reached the level that unlocks this (`extra` says which)."""

    default_code = "level_too_low"


class NotEnoughXpError(ConflictError):
    """Spending more XP than the learner holds."""

    default_code = "not_enough_xp"
