"""Errors of the learning modes: each is a broken rule with a message safe to show."""

from core.exceptions import ApplicationError, NotFoundError


class CardNotFoundError(NotFoundError):
    default_code = "card_not_found"


class CardNotDueError(ApplicationError):
    """Also what a double-submitted review gets: the first one already moved the card on."""

    status_code = 409
    default_code = "card_not_due"


class InvalidRatingError(ApplicationError):
    default_code = "invalid_rating"


class InvalidPreferenceError(ApplicationError):
    default_code = "invalid_preference"


class ChallengeUnavailableError(ApplicationError):
    default_code = "challenge_unavailable"


class ChallengeRunNotFoundError(NotFoundError):
    default_code = "challenge_run_not_found"


class ChallengeClosedError(ApplicationError):
    """Answers after the deadline (by the server's clock) or a second submit."""

    status_code = 409
    default_code = "challenge_closed"
