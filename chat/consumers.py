"""WebSocket consumers (contract §6): the activity socket and the chat socket.

Both authenticate from ``?token=`` (4001 otherwise, and at the token's expiry) and answer bad
frames with ``error`` frames, keeping the connection. Events reach them through the channel
layer (Redis in production), so a message stored by any server process reaches every browser.

A chat socket reads the thread's participants and the user's chat ban once, at connect, and
keeps them current from control events (a participant removed, a ban set or lifted), so a
message costs no read. Its messages are stored and announced by the process's group-commit
writer (chat/socket_writer.py): the messages of many sockets in one transaction, one rate-limit
round trip and one pipelined publish per batch. Typing frames never reach the database or the
thread pool: at most one per ``CHAT_TYPING_INTERVAL_SECONDS`` per socket is published, without
waiting for Redis.
"""

import asyncio
import json
import logging
import time

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import DatabaseError

from chat import events, selectors, services, socket_writer
from chat.exceptions import ChatBlockedError
from chat.selectors import ThreadAccess
from designiaBackend.api.exceptions import ApplicationError
from designiaBackend.api.fields import parse_public_id
from designiaBackend.api.realtime import user_group
from designiaBackend.api.websocket import CLOSE_FORBIDDEN, AuthenticatedJsonConsumer, frames_counter
from marketplace.ordering.selectors import cart_items_count
from notifications.selectors import unread_notifications_count

logger = logging.getLogger(__name__)


@database_sync_to_async
def _activity_state(user):
    return (
        cart_items_count(user=user),
        selectors.unread_messages_count(user=user),
        selectors.user_is_chat_banned(user=user),
        unread_notifications_count(user_id=user.pk),
    )


class ActivityConsumer(AuthenticatedJsonConsumer):
    """``/ws/activity/?token=``: the signed-in user's personal event stream (group ``user.<id>``).

    Any app's event arrives as ``user.event`` and is forwarded as it is (``cart_updated``, the
    ``notification`` frames, ...); chat messages arrive as ``chat.message`` events."""

    metric_label = "activity"

    async def on_authenticated_connect(self):
        await self.join(user_group(self.user.pk))
        cart_count, unread, self.chat_banned, notifications = await _activity_state(self.user)
        await self.send_json(
            {
                "type": "connection_success",
                "user_id": str(self.user.pk),
                "cart_count": cart_count,
                "unread_messages_count": unread,
                "unread_notifications_count": notifications,
                "message": "Connected.",
            }
        )

    async def receive_json(self, content, **kwargs):
        kind = content["type"]
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind in ("get_cart_count", "get_unread_count"):
            cart_count, unread, _, _ = await _activity_state(self.user)
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

    async def chat_message(self, event):
        if not self.chat_banned:
            await self.send_json({"type": "chat.message", "data": event["data"]})

    async def chat_ban_changed(self, event):
        self.chat_banned = event["banned"]


@database_sync_to_async
def _thread_access(thread_id, user):
    return selectors.thread_access_get(thread_id=thread_id, user_id=user.pk)


_typing_sends: set[asyncio.Task] = set()  # referenced until done (the loop keeps weak references)


def _typing_sent(task: asyncio.Task) -> None:
    _typing_sends.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.warning("Typing event not published: %r", task.exception())


class ChatConsumer(AuthenticatedJsonConsumer):
    """``/ws/chat/<thread_id>/?token=``: one thread, for its participants only (4003 otherwise)."""

    metric_label = "chat"
    access: ThreadAccess

    async def on_authenticated_connect(self):
        self.thread_id = parse_public_id(self.scope["url_route"]["kwargs"]["thread_id"])
        access = await _thread_access(self.thread_id, self.user) if self.thread_id else None
        if access is None:
            await self.refuse(CLOSE_FORBIDDEN)
            return
        self.access = access
        self.last_typing_at = 0.0
        await self.join(events.thread_group(self.thread_id))

    async def __call__(self, scope, receive, send):
        # Typing frames are answered as they are read, before Channels' dispatch (a task, a
        # wait and a span per event): at ten per message they would otherwise cost more than
        # the messages they come with, and hold up the message frames queued behind them.
        async def receive_without_typing():
            while True:
                event = await receive()
                if not (event["type"] == "websocket.receive" and self._typing_frame(event.get("text"))):
                    return event

        return await super().__call__(scope, receive_without_typing, send)

    def _typing_frame(self, text):
        """Whether ``text`` is a ``chat.typing`` frame of this open socket, then handled."""
        if text is None or len(text) > 200 or "chat.typing" not in text or not self.joined:
            return False
        try:
            content = json.loads(text)
        except ValueError:
            return False
        if not (isinstance(content, dict) and content.get("type") == "chat.typing"):
            return False
        frames_counter(self.metric_label).inc()
        self.receive_typing()
        return True

    async def receive_json(self, content, **kwargs):
        handler = {
            "chat.message": self.receive_message,
            "chat.typing": self.receive_typing_frame,
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
            outcome = await socket_writer.writer().send(
                services.SocketSend(self.thread_id, self.user, text, self.access)
            )
        except DatabaseError:
            logger.exception("Chat message from %s in thread %s not stored", self.user.pk, self.thread_id)
            await self.send_error("The message could not be sent. Please try again.", code="unavailable")
            return
        if isinstance(outcome.result, ApplicationError):
            error = outcome.result
            await self.send_error(error.message, code=error.code, **error.extra)
        elif not outcome.announced:
            # The channel layer (Redis) failed: the sender gets its echo from here, so its client
            # replaces the optimistic copy, and is told that the others see it on their next load.
            data = events.message_data(outcome.result)
            await self.send_json({"type": "chat.message", "data": data})
            await self.send_error(
                "Your message was saved, but live delivery is unavailable right now: "
                "the other participants will see it when they reload the conversation.",
                code="realtime_unavailable",
                message_id=data["id"],
            )

    async def receive_typing_frame(self, content):
        self.receive_typing()

    def receive_typing(self):
        """Publish that the user types, at most once per ``CHAT_TYPING_INTERVAL_SECONDS`` per
        socket, without waiting for Redis (never the database or the thread pool)."""
        now = time.monotonic()
        if now - self.last_typing_at < settings.CHAT_TYPING_INTERVAL_SECONDS:
            return  # keystrokes arrive far faster than anyone needs to be told
        self.last_typing_at = now
        # Fire and forget: a typing event is worth nothing late, and the next frame need not wait.
        task = asyncio.create_task(
            self.channel_layer.group_send(
                events.thread_group(self.thread_id),
                {"type": "chat.typing", "user_id": str(self.user.pk), "username": self.user.username},
            )
        )
        _typing_sends.add(task)
        task.add_done_callback(_typing_sent)

    async def receive_ping(self, content):
        await self.send_json({"type": "pong"})

    # --- events from the channel layer -------------------------------------------------------------

    async def chat_message(self, event):
        if not self.access.sender_banned:  # a user blocked from chatting no longer receives
            await self.send_json({"type": "chat.message", "data": event["data"]})

    async def chat_read(self, event):
        await self.send_json({"type": "chat.read", "data": event["data"]})

    async def chat_typing(self, event):
        if event["user_id"] != str(self.user.pk):  # never back to the typist
            await self.send_json(
                {"type": "chat.typing", "username": event["username"], "user_id": event["user_id"]}
            )

    async def chat_participant_removed(self, event):
        if event["user_id"] == str(self.user.pk):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        remaining = frozenset(
            user_id for user_id in self.access.participant_ids if str(user_id) != event["user_id"]
        )
        self.access = ThreadAccess(remaining, self.access.sender_banned)

    async def chat_ban_changed(self, event):
        self.access = ThreadAccess(self.access.participant_ids, event["banned"])
        if event["banned"]:
            await self.send_error(ChatBlockedError.default_message, code="chat_blocked")
