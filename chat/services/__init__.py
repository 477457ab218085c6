"""Writes of the chat. Socket events and e-mails go out only after the transaction commits."""

from chat.services.messages import SocketSend, message_send, messages_send_batch, thread_mark_read
from chat.services.moderation import (
    chat_ban_create,
    chat_ban_lift,
    chat_data_erase,
    message_report_create,
    report_resolve,
)
from chat.services.threads import thread_get_or_create, thread_participant_remove

__all__ = [
    "SocketSend",
    "chat_ban_create",
    "chat_ban_lift",
    "chat_data_erase",
    "message_report_create",
    "message_send",
    "messages_send_batch",
    "report_resolve",
    "thread_get_or_create",
    "thread_mark_read",
    "thread_participant_remove",
]
