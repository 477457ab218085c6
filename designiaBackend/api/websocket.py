"""WebSocket authentication from the ``?token=<access JWT>`` query parameter (contract §6.1)."""

import json
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import TokenError

from designiaBackend.observability.websocket_tracing import TracedConsumerMixin

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4001
CLOSE_FORBIDDEN = 4003


@database_sync_to_async
def _user_for_token(raw_token):
    """The token's user, or anonymous for a bad or expired token, an inactive user or a token
    issued before the user's last password change (the same rules as the HTTP API)."""
    try:
        authenticator = JWTAuthentication()
        return authenticator.get_user(authenticator.get_validated_token(raw_token))
    except (TokenError, AuthenticationFailed, ValueError):
        return AnonymousUser()


class JWTQueryAuthMiddleware:
    """Sets ``scope["user"]`` from the access token in the query string (anonymous if absent)."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode())
        raw_token = (query.get("token") or [""])[0]
        user = await _user_for_token(raw_token) if raw_token else AnonymousUser()
        return await self.inner({**scope, "user": user}, receive, send)


class AuthenticatedJsonConsumer(TracedConsumerMixin, AsyncJsonWebsocketConsumer):
    """Base consumer: closes with 4001 unless the token named a user, and answers every
    undecodable or oversized frame with an ``error`` frame instead of dropping the connection."""

    # Frames longer than this are refused unread (an error frame; the connection stays open).
    max_frame_chars = 256 * 1024

    async def connect(self):
        self.user = self.scope.get("user")
        if not self.user or not self.user.is_authenticated:
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        await self.on_authenticated_connect()

    async def on_authenticated_connect(self):
        await self.accept()

    async def refuse(self, code):
        """Close with an application code (4001, 4003)."""
        # A custom close code only reaches the client after the handshake is accepted.
        await self.accept()
        await self.close(code=code)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
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

    async def send_error(self, message, code="invalid_frame"):
        await self.send_json({"type": "error", "code": code, "message": message})

    @classmethod
    async def encode_json(cls, content):
        return json.dumps(content, default=str)
