"""Errors billing's services raise; each is shown to the user as is."""

from core.exceptions import ApplicationError, ConflictError, NotFoundError


class PaymentsNotConfiguredError(ApplicationError):
    status_code = 503
    default_code = "payments_not_configured"


class StripeUnavailableError(ApplicationError):
    status_code = 502
    default_code = "stripe_unavailable"


class StripeTransientError(StripeUnavailableError):
    """Stripe could not be reached, or answered 5xx, 409 or 429: the same request may succeed
    later (tasks retry it); any other StripeUnavailableError would be refused again."""


class WebhookSignatureError(ApplicationError):
    default_code = "invalid_signature"


class PlanNotFoundError(NotFoundError):
    default_code = "plan_not_found"


class NothingToBuyError(ApplicationError):
    default_code = "not_for_sale"


class AlreadyEntitledError(ConflictError):
    default_code = "already_entitled"


class SelfReferralError(ApplicationError):
    default_code = "self_referral"


class NotRefundableError(ConflictError):
    default_code = "not_refundable"
