"""Errors the gamification services raise."""

from core.exceptions import ApplicationError, ConflictError


class InvalidAwardError(ApplicationError):
    default_code = "invalid_award"


class IdempotencyConflictError(ConflictError):
    default_code = "idempotency_conflict"


class InvalidLeaderboardError(ApplicationError):
    default_code = "invalid_leaderboard"


class GrantNotAllowedError(ApplicationError):
    status_code = 403
    default_code = "permission_denied"
