from designiaBackend.errors import ApplicationError, NotFoundError


class UnknownNotificationKind(ApplicationError):
    code = "unknown_notification_kind"
    status = 400
    default_message = "This notification kind does not exist."


class NotificationNotFound(NotFoundError):
    default_message = "Notification not found."


class PreferenceLocked(ApplicationError):
    code = "preference_locked"
    status = 400
    default_message = "Security e-mails cannot be turned off."


class InvalidUnsubscribeToken(ApplicationError):
    code = "invalid_unsubscribe_token"
    status = 400
    default_message = "This unsubscribe link is invalid or has expired."
