"""Refusals of the chat services, each with a stable machine code (also sent in socket error frames)."""

from designiaBackend.errors import ApplicationError, NotFoundError


class ThreadNotFoundError(NotFoundError):
    code = "thread_not_found"
    default_message = "Conversation not found."


class MessageNotFoundError(NotFoundError):
    code = "message_not_found"
    default_message = "Message not found."


class ChatWithYourselfError(ApplicationError):
    code = "chat_with_yourself"
    default_message = "You cannot start a conversation with yourself."


class ChatPartnerUnavailableError(NotFoundError):
    code = "chat_partner_not_found"
    default_message = "This user cannot be contacted."


class ChatBlockedError(ApplicationError):
    code = "chat_blocked"
    status = 403
    default_message = "You have been blocked from chatting by the Designia team."


class InvalidMessageError(ApplicationError):
    code = "invalid_message"
    default_message = "The message is empty."


class MessageTooLongError(InvalidMessageError):
    code = "message_too_long"


class MessageRateLimitedError(ApplicationError):
    code = "rate_limited"
    status = 429
    default_message = "You are sending messages too fast. Please wait a moment."


class ReportNotAllowedError(ApplicationError):
    code = "report_not_allowed"
    default_message = "This message cannot be reported."
