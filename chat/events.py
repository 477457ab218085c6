"""Socket events of the chat: frame builders and their delivery after commit.

Groups: ``chat.thread.<id>`` (every chat socket open on the thread, sender included) and
``user.<id>`` (the activity sockets of one user, through ``designiaBackend.api.realtime``).
Delivery failures (e.g. Redis briefly down) are logged, never undo a stored message.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from rest_framework import serializers

from designiaBackend.api.after_commit import best_effort
from designiaBackend.api.fields import public_id
from designiaBackend.api.realtime import send_to_user, user_group
from designiaBackend.api.websocket import user_sockets_group
from infrastructure.storage import public_url

if TYPE_CHECKING:
    from chat.models import Message

logger = logging.getLogger(__name__)

_datetime = serializers.DateTimeField()


def thread_group(thread_id):
    return f"chat.thread.{thread_id}"


def format_datetime(value):
    return _datetime.to_representation(value) if value else None


def message_data(message):
    """The ``data`` of a ``chat.message`` frame (contract §6.3)."""
    return {
        "id": public_id(message.pk),
        "thread_id": public_id(message.thread_id),
        "sender_id": str(message.sender_id),
        "sender_username": message.sender.username,
        "message_type": message.message_type,
        "text": message.text,
        "image_url": public_url(message.image),
        "created_at": format_datetime(message.created_at),
        "is_read": message.is_read,
    }


def send_to_thread(thread_id, event):
    async_to_sync(get_channel_layer().group_send)(thread_group(thread_id), event)


def _on_commit(callback):
    best_effort(callback, what="chat_push")


def _message_deliveries(message: Message, recipient_ids: list) -> tuple[list[str], dict]:
    """One event, the same for the thread's sockets and the recipients' activity sockets (C5)."""
    event = {"type": "chat.message", "data": message_data(message)}
    groups = [thread_group(message.thread_id), *(user_group(user_id) for user_id in recipient_ids)]
    return groups, event


async def message_announce(*, message: Message, recipient_ids: list) -> None:
    """From a socket consumer, once the message is committed: every group at once."""
    groups, event = _message_deliveries(message, recipient_ids)
    layer = get_channel_layer()
    await asyncio.gather(*(layer.group_send(group, event) for group in groups))


async def messages_announce(deliveries: list[tuple[Message, list]]) -> None:
    """``message_announce`` of each (message, recipient ids), in this order: with the Redis layer,
    every PUBLISH of the batch in one round trip, in order (so each thread's sockets get its
    messages in stored order)."""
    sends = []
    for message, recipient_ids in deliveries:
        groups, event = _message_deliveries(message, recipient_ids)
        sends += [(group, event) for group in groups]
    layer = get_channel_layer()
    if hasattr(layer, "group_send_many"):
        await layer.group_send_many(sends)
        return
    for group, event in sends:  # the in-memory layer of ``make run`` and some tests
        await layer.group_send(group, event)


def message_created(*, message: Message, recipient_ids: list) -> None:
    """After commit (REST): the message to the whole thread and the recipients' activity sockets."""
    _on_commit(lambda: async_to_sync(message_announce)(message=message, recipient_ids=recipient_ids))


def participant_removed(*, thread_id: int, user_id: object) -> None:
    """After commit: the user's sockets on the thread close (4003); the others forget them."""
    event = {"type": "chat.participant_removed", "user_id": str(user_id)}
    _on_commit(lambda: send_to_thread(thread_id, event))


def chat_ban_changed(*, user_id: object, banned: bool) -> None:
    """After commit: the user's sockets stop (or resume) receiving and sending chat messages."""
    event = {"type": "chat.ban_changed", "banned": banned}
    _on_commit(lambda: async_to_sync(get_channel_layer().group_send)(user_sockets_group(user_id), event))


def messages_read(*, thread_id, reader_id, marked_read, unread_messages_count, read_at):
    """After commit: ``chat.read`` to the thread, the reader's new unread total to their activity sockets."""
    data = {
        "reader_id": str(reader_id),
        "thread_id": public_id(thread_id),
        "marked_read": marked_read,
        "read_at": format_datetime(read_at),
    }

    def deliver():
        send_to_thread(thread_id, {"type": "chat.read", "data": data})
        send_to_user(
            reader_id,
            {
                "type": "unread_messages_count_update",
                "unread_messages_count": unread_messages_count,
                "thread_id": public_id(thread_id),
            },
        )

    _on_commit(deliver)
