"""WebSocket consumers (contract §6): the activity socket and the chat socket.

Both authenticate from ``?token=`` (4001 otherwise) and answer bad frames with ``error`` frames,
keeping the connection. Events reach them through the channel layer (Redis in production), so
a message stored by any server process reaches every connected browser.
"""

import logging
import time

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import DatabaseError

from chat import selectors, services
from chat.events import thread_group
from designiaBackend.api.fields import parse_public_id
from designiaBackend.api.realtime import user_group
from designiaBackend.api.websocket import CLOSE_FORBIDDEN, AuthenticatedJsonConsumer
from designiaBackend.errors import ApplicationError
from designiaBackend.observability import metrics
from marketplace.ordering.selectors import cart_items_count

logger = logging.getLogger(__name__)


class CountedConsumer(AuthenticatedJsonConsumer):
    """Keeps the open-sockets gauge and the group membership of one consumer."""

    metric_label = "socket"
    group_name = None

    async def join(self, group_name):
        self.group_name = group_name
        await self.channel_layer.group_add(group_name, self.channel_name)
        await self.accept()
        metrics.OPEN_SOCKETS.labels(consumer=self.metric_label).inc()

    async def disconnect(self, code):
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)
            metrics.OPEN_SOCKETS.labels(consumer=self.metric_label).dec()
            self.group_name = None


@database_sync_to_async
def _activity_counts(user):
    return cart_items_count(user=user), selectors.unread_messages_count(user=user)


class ActivityConsumer(CountedConsumer):
    """``/ws/activity/?token=``: the signed-in user's personal event stream (group ``user.<id>``)."""

    metric_label = "activity"

    async def on_authenticated_connect(self):
        await self.join(user_group(self.user.pk))
        cart_count, unread = await _activity_counts(self.user)
        await self.send_json(
            {
                "type": "connection_success",
                "user_id": str(self.user.pk),
                "cart_count": cart_count,
                "unread_messages_count": unread,
                "message": "Connected.",
            }
        )

    async def receive_json(self, content, **kwargs):
        kind = content["type"]
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind in ("get_cart_count", "get_unread_count"):
            cart_count, unread = await _activity_counts(self.user)
            if kind == "get_cart_count":
                await self.send_json({"type": "cart_count", "cart_count": cart_count})
            else:
                await self.send_json(
                    {"type": "unread_messages_count_update", "unread_messages_count": unread}
                )
        elif kind == "track_activity":
            await self.send_json({"type": "activity_tracked"})
        else:
            await self.send_error(f"Unknown message type: {kind}", code="unknown_type")

    async def user_event(self, message):
        """Events pushed by any app through designiaBackend.api.realtime."""
        await self.send_json(message["event"])


@database_sync_to_async
def _is_participant(thread_id, user):
    return selectors.thread_is_participant(thread_id=thread_id, user_id=user.pk)


def _send_message_sync(thread_id, user, text):
    services.message_send(thread_id=thread_id, sender=user, text=text, channel="websocket")


# Not thread-sensitive: messages of many sockets are stored in parallel, each worker thread with
# its own database connection (the default would serialise every socket's writes on one thread).
_send_message = database_sync_to_async(_send_message_sync, thread_sensitive=False)


class ChatConsumer(CountedConsumer):
    """``/ws/chat/<thread_id>/?token=``: one thread, for its participants only (4003 otherwise)."""

    metric_label = "chat"

    async def on_authenticated_connect(self):
        self.thread_id = parse_public_id(self.scope["url_route"]["kwargs"]["thread_id"])
        if self.thread_id is None or not await _is_participant(self.thread_id, self.user):
            await self.refuse(CLOSE_FORBIDDEN)
            return
        self.last_typing_at = 0.0
        await self.join(thread_group(self.thread_id))

    async def receive_json(self, content, **kwargs):
        handler = {
            "chat.message": self.receive_message,
            "chat.typing": self.receive_typing,
            "ping": self.receive_ping,
        }.get(content["type"])
        if handler is None:
            await self.send_error(f"Unknown message type: {content['type']}", code="unknown_type")
            return
        await handler(content)

    async def receive_message(self, content):
        payload = content.get("payload")
        text = payload.get("text") if isinstance(payload, dict) else None
        if not isinstance(text, str):
            await self.send_error(
                'A chat.message needs "payload": {"text": "<text>"}.', code="invalid_payload"
            )
            return
        try:
            await _send_message(self.thread_id, self.user, text)
        except ApplicationError as error:
            await self.send_error(error.message, code=error.code)
        except DatabaseError:
            logger.exception("Chat message from %s in thread %s not stored", self.user.pk, self.thread_id)
            await self.send_error("The message could not be sent. Please try again.", code="unavailable")

    async def receive_typing(self, content):
        now = time.monotonic()
        if now - self.last_typing_at < settings.CHAT_TYPING_INTERVAL_SECONDS:
            return  # keystrokes arrive far faster than anyone needs to be told
        self.last_typing_at = now
        await self.channel_layer.group_send(
            self.group_name,
            {
                "type": "chat.typing",
                "user_id": str(self.user.pk),
                "username": self.user.username,
                "thread_id": self.thread_id,
            },
        )

    async def receive_ping(self, content):
        await self.send_json({"type": "pong"})

    # --- events from the channel layer -------------------------------------------------------------

    async def chat_message(self, event):
        await self.send_json({"type": "chat.message", "data": event["data"]})

    async def chat_read(self, event):
        await self.send_json({"type": "chat.read", "data": event["data"]})

    async def chat_typing(self, event):
        if event["user_id"] != str(self.user.pk):  # never back to the typist
            await self.send_json(
                {"type": "chat.typing", "username": event["username"], "user_id": event["user_id"]}
            )
