"""WebSocket authentication from the ``?token=<access JWT>`` query parameter (contract §6.1), and
the base of every consumer: groups, token expiry, sign-out, backpressure and error frames.

Every socket of a user also joins ``sockets.user.<id>``: ``user_sockets_close`` (a password
change or reset) closes all of them at once, in every server process, with 4001. A socket opened
with a login's access token joins ``sockets.login.<family>`` too: ``login_sockets_close`` (that
login signed out or revoked) closes those alone.
"""

import asyncio
import functools
import json
import logging
import time
from urllib.parse import parse_qs

import orjson
from asgiref.sync import async_to_sync
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import TokenError

from designiaBackend.api.after_commit import best_effort
from designiaBackend.observability import metrics
from designiaBackend.observability.websocket_tracing import TracedConsumerMixin

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4001
CLOSE_FORBIDDEN = 4003
CLOSE_POLICY = 1008  # a reader too slow to keep up (the activity socket reconnects; see §6.1)


def user_sockets_group(user_id: object) -> str:
    return f"sockets.user.{user_id}"


def user_sockets_close(user_id: object, code: int = CLOSE_UNAUTHENTICATED) -> None:
    """Close every socket of the user, in every server process (their tokens no longer count)."""
    async_to_sync(get_channel_layer().group_send)(
        user_sockets_group(user_id), {"type": "sockets.close", "code": code}
    )


def user_sockets_close_on_commit(user_id: object) -> None:
    best_effort(lambda: user_sockets_close(user_id), what="user_sockets_close")


def login_sockets_group(family_id: object) -> str:
    return f"sockets.login.{family_id}"


def login_sockets_close_on_commit(family_id: object) -> None:
    """After commit: close, in every server process, the sockets opened with the tokens of one
    login (token family), with 4001; the user's other logins keep theirs."""
    event = {"type": "sockets.close", "code": CLOSE_UNAUTHENTICATED}
    best_effort(
        lambda: async_to_sync(get_channel_layer().group_send)(login_sockets_group(family_id), event),
        what="login_sockets_close",
    )


@database_sync_to_async
def _user_for_token(raw_token: str) -> tuple[object, float | None, str | None]:
    """The token's user, expiry (epoch seconds) and login (``family`` claim), or anonymous for a
    bad or expired token, an inactive user, a signed-out login or a token issued before the
    user's last password change (the same rules as the HTTP API)."""
    try:
        authenticator = JWTAuthentication()
        token = authenticator.get_validated_token(raw_token.encode())
        family = token.get("family")  # authentication.tokens.FAMILY_CLAIM
        return authenticator.get_user(token), float(token["exp"]), str(family) if family else None
    except (TokenError, AuthenticationFailed, ValueError, KeyError):
        return AnonymousUser(), None, None


class JWTQueryAuthMiddleware:
    """Sets ``scope["user"]`` from the access token in the query string (anonymous if absent) and
    ``scope["token_expires_at"]``, when the consumer must close the socket with 4001, and
    ``scope["token_family"]``, the login the token belongs to."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode())
        raw_token = (query.get("token") or [""])[0]
        user, expires_at, family = (
            await _user_for_token(raw_token) if raw_token else (AnonymousUser(), None, None)
        )
        scope = {**scope, "user": user, "token_expires_at": expires_at, "token_family": family}
        return await self.inner(scope, receive, send)


@functools.cache
def frames_counter(label: str):
    """The labelled child of the frame counter, looked up once (``labels()`` takes a lock)."""
    return metrics.WEBSOCKET_FRAMES.labels(consumer=label)


class _DispatchWithoutConnectionSweep:
    """Channels' ``AsyncConsumer.dispatch`` runs ``close_old_connections`` through
    ``sync_to_async`` before every event: a thread hop for each frame and each channel-layer
    event, about a fifth of the chat benchmark's server CPU. These consumers reach the database
    only through ``database_sync_to_async`` (or the chat writer's thread), which closes stale
    connections in its own thread around each call, so the sweep here bought nothing."""

    async def dispatch(self, message):
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


class AuthenticatedJsonConsumer(
    TracedConsumerMixin, _DispatchWithoutConnectionSweep, AsyncJsonWebsocketConsumer
):
    """Base consumer: closes with 4001 unless the token named a user (and at the token's expiry,
    and when ``user_sockets_close`` is called for the user), answers every undecodable or
    oversized frame with an ``error`` frame instead of dropping the connection, and disconnects
    a reader that has not taken a frame within ``WEBSOCKET_SEND_TIMEOUT_SECONDS``.

    A slow reader's channel-layer queue is bounded by the layer's ``capacity`` (messages beyond
    it are dropped for that socket only); stored data is fetched again over REST.
    """

    # Frames longer than this are refused unread (an error frame; the connection stays open).
    max_frame_chars = 256 * 1024
    metric_label = "socket"  # the ``consumer`` label of the socket metrics
    joined: tuple[str, ...] = ()
    _expiry: asyncio.TimerHandle | None = None

    async def connect(self):
        self.user = self.scope.get("user")
        if not self.user or not self.user.is_authenticated:
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        await self.on_authenticated_connect()

    async def on_authenticated_connect(self):
        await self.join()

    async def join(self, *group_names: str) -> None:
        """Accept the socket into ``group_names``, the user's and the login's sockets groups; close
        it at expiry."""
        family = self.scope.get("token_family")
        login_groups = (login_sockets_group(family),) if family else ()
        self.joined = (*group_names, user_sockets_group(self.user.pk), *login_groups)
        for group_name in self.joined:
            await self.channel_layer.group_add(group_name, self.channel_name)
        await self.accept()
        metrics.OPEN_SOCKETS.labels(consumer=self.metric_label).inc()
        expires_at = self.scope.get("token_expires_at")
        if expires_at is not None:
            delay = max(0.0, expires_at - time.time())
            self._expiry = asyncio.get_running_loop().call_later(delay, self._token_expired)

    def _token_expired(self) -> None:
        # The client reconnects with a refreshed token (contract §6.1).
        self._closing = asyncio.ensure_future(self.close(code=CLOSE_UNAUTHENTICATED))

    async def disconnect(self, code):
        if self._expiry is not None:
            self._expiry.cancel()
        if self.joined:
            for group_name in self.joined:
                await self.channel_layer.group_discard(group_name, self.channel_name)
            metrics.OPEN_SOCKETS.labels(consumer=self.metric_label).dec()
            self.joined = ()

    async def refuse(self, code):
        """Close with an application code (4001, 4003)."""
        # A custom close code only reaches the client after the handshake is accepted.
        await self.accept()
        await self.close(code=code)

    async def sockets_close(self, event):
        """``user_sockets_close`` / ``login_sockets_close_on_commit``: the user's tokens, or this
        login's, were revoked (password change or reset, sign-out)."""
        await self.close(code=event["code"])

    async def send_json(self, content, close=False):
        """Hand a frame to the server; a client that does not read for the timeout is dropped.

        The server (uvicorn's websockets protocol) waits while the socket's write buffer is
        full, so a stalled reader shows here instead of as memory."""
        try:
            async with asyncio.timeout(settings.WEBSOCKET_SEND_TIMEOUT_SECONDS):
                await super().send_json(content, close=close)
        except TimeoutError:
            logger.warning(
                "Socket of user %s dropped: no frame read for %s s",
                self.user.pk,
                settings.WEBSOCKET_SEND_TIMEOUT_SECONDS,
            )
            metrics.WEBSOCKET_ERRORS.labels(consumer=self.metric_label, code="slow_reader").inc()
            await self.disconnect(CLOSE_POLICY)
            await self.base_send({"type": "websocket.close", "code": CLOSE_POLICY})
            raise StopConsumer() from None

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        frames_counter(self.metric_label).inc()
        if text_data is None:
            await self.send_error("Frames must be JSON text.")
            return
        if len(text_data) > self.max_frame_chars:
            await self.send_error("The frame is too large.", code="frame_too_large")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_error("Frames must be valid JSON.")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_error('Frames must be JSON objects with a "type".')
            return
        await self.receive_json(content, **kwargs)

    async def send_error(self, message, code="invalid_frame", **extra):
        metrics.WEBSOCKET_ERRORS.labels(consumer=self.metric_label, code=code).inc()
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    @classmethod
    async def encode_json(cls, content):
        return orjson.dumps(content, default=str).decode()
