"""Rules of the Peer Help Center a caller can break; each message is safe to show the user."""

from core.exceptions import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError


class InvalidInputError(ApplicationError):
    """A value outside its allowed range; `fields` names the input."""

    default_code = "validation_error"


class QuestionNotFoundError(NotFoundError):
    default_code = "question_not_found"


class AnswerNotFoundError(NotFoundError):
    default_code = "answer_not_found"


class CommentNotFoundError(NotFoundError):
    default_code = "comment_not_found"


class NotAskerError(PermissionDeniedError):
    """Only the person who asked the question may do this (award XP, accept)."""

    default_code = "not_asker"


class OwnContentError(PermissionDeniedError):
    """Nobody rates, awards or flags their own post."""

    default_code = "own_content"


class NotAuthorError(PermissionDeniedError):
    default_code = "not_author"


class NotModeratorError(PermissionDeniedError):
    default_code = "not_moderator"


class PrivilegeRequiredError(PermissionDeniedError):
    """The user's reputation is below the privilege's threshold (`extra` says which)."""

    default_code = "privilege_required"


class XpAwardLockedError(ConflictError):
    """The XP award's change window is over; it can no longer change."""

    default_code = "xp_award_locked"


class QuestionClosedError(ConflictError):
    default_code = "question_closed"


class AlreadyFlaggedError(ConflictError):
    default_code = "already_flagged"


class CannotDeleteError(ConflictError):
    default_code = "cannot_delete"


class RateLimitedError(ApplicationError):
    status_code = 429
    default_code = "rate_limited"


class BountyUnavailableError(ConflictError):
    """A bounty goes on an open question, one at a time."""

    default_code = "bounty_unavailable"
