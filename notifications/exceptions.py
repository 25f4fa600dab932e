from core.exceptions import ApplicationError, NotFoundError


class NotificationNotFoundError(NotFoundError):
    default_code = "notification_not_found"


class InvalidSubscriptionError(ApplicationError):
    default_code = "invalid_subscription"


class PushNotConfiguredError(ApplicationError):
    status_code = 503
    default_code = "push_not_configured"
