"""The errors the AI tools raise; each message is safe to show to the learner."""

from core.exceptions import ApplicationError


class AIProviderError(ApplicationError):
    """The AI provider failed after its retries (server error, bad output)."""

    status_code = 502
    default_code = "ai_provider_error"


class AIProviderTimeoutError(AIProviderError):
    status_code = 504
    default_code = "ai_provider_timeout"


class AIProviderBusyError(AIProviderError):
    """The provider kept answering 429 (its own rate limit) after our retries."""

    status_code = 503
    default_code = "ai_provider_busy"


class AIProviderAuthError(AIProviderError):
    """The provider refused the API key: a configuration error, never retried."""

    default_code = "ai_provider_auth"


class QuotaExceededError(ApplicationError):
    status_code = 429
    default_code = "ai_quota_exceeded"


class RateLimitedError(ApplicationError):
    """Too many AI requests in one minute, from any page, socket or API call."""

    status_code = 429
    default_code = "ai_rate_limited"


class PlanRequiredError(ApplicationError):
    """Billing does not give the user the AI tools (they come with Pro and above)."""

    status_code = 403
    default_code = "ai_plan_required"


class NotEntitledError(ApplicationError):
    """The learner may not use this content (not enrolled, or the course needs a plan)."""

    status_code = 403
    default_code = "ai_not_entitled"


class NothingToWorkWithError(ApplicationError):
    """The lesson or course has no text to summarise, question or search."""

    default_code = "ai_no_content"
