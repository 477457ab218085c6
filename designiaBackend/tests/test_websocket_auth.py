"""Sockets authenticate from ?token= against a real daphne server (contract §6.1)."""

import asyncio
import json

import pytest
from rest_framework_simplejwt.tokens import AccessToken
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from authentication.tests.factories import UserFactory

ORIGIN = "http://localhost:5173"


async def _first_frame_or_close(url, origin=ORIGIN):
    async with connect(url, origin=origin, open_timeout=10) as ws:
        try:
            return json.loads(await asyncio.wait_for(ws.recv(), timeout=10)), None
        except ConnectionClosed as closed:
            return None, closed.rcvd.code if closed.rcvd else None


def test_activity_socket_accepts_a_valid_token(live_asgi_server):
    user = UserFactory()
    token = str(AccessToken.for_user(user))
    frame, code = asyncio.run(_first_frame_or_close(f"{live_asgi_server.ws_url}/ws/activity/?token={token}"))
    assert code is None
    assert frame["type"] == "connection_success"
    assert frame["user_id"] == str(user.pk)


@pytest.mark.parametrize("query", ["", "?token=", "?token=not-a-jwt"])
def test_activity_socket_refuses_missing_or_invalid_token_with_4001(live_asgi_server, query):
    frame, code = asyncio.run(_first_frame_or_close(f"{live_asgi_server.ws_url}/ws/activity/{query}"))
    assert frame is None
    assert code == 4001


def test_activity_socket_refuses_an_expired_token(live_asgi_server):
    from datetime import timedelta

    user = UserFactory()
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    frame, code = asyncio.run(_first_frame_or_close(f"{live_asgi_server.ws_url}/ws/activity/?token={token}"))
    assert code == 4001


def test_activity_socket_refuses_a_token_from_before_a_password_change(live_asgi_server):
    user = UserFactory()
    token = str(AccessToken.for_user(user))
    user.set_password("Another-Oak-Table-9")
    user.save(update_fields=["password"])
    frame, code = asyncio.run(_first_frame_or_close(f"{live_asgi_server.ws_url}/ws/activity/?token={token}"))
    assert frame is None
    assert code == 4001


def test_socket_from_a_foreign_origin_is_rejected(live_asgi_server):
    user = UserFactory()
    token = str(AccessToken.for_user(user))
    with pytest.raises(Exception) as excinfo:
        asyncio.run(
            _first_frame_or_close(
                f"{live_asgi_server.ws_url}/ws/activity/?token={token}", origin="http://evil.example"
            )
        )
    assert "403" in str(excinfo.value)
