"""After logout (or a detected refresh reuse) the login's access token opens no socket: a real
daphne process, signed in and out over HTTP, refuses it with 4001 (issue 22)."""

import asyncio

import pytest
import requests
from django.conf import global_settings

from authentication.tests.factories import DEFAULT_PASSWORD, UserFactory
from chat.tests.sockets import open_socket

pytestmark = pytest.mark.live_server_process


def test_a_signed_out_logins_access_token_is_refused_by_the_socket(live_asgi_server, settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # the daphne process checks it
    UserFactory(email="ada@example.com")
    base = live_asgi_server.http_url

    def login():
        body = {"email": "ada@example.com", "password": DEFAULT_PASSWORD}
        return requests.post(f"{base}/api/auth/login/", json=body, timeout=15).json()

    signed_out, still_in = login(), login()
    logout = requests.post(f"{base}/api/auth/logout/", json={"refresh": signed_out["refresh"]}, timeout=15)
    assert logout.status_code == 200

    async def close_code(token):
        async with open_socket(live_asgi_server, "/ws/activity/", token=token) as socket:
            return await socket.close_code(timeout=3)

    async def first_frame(token):
        async with open_socket(live_asgi_server, "/ws/activity/", token=token) as socket:
            return await socket.receive()

    assert asyncio.run(close_code(signed_out["access"])) == 4001
    assert asyncio.run(first_frame(still_in["access"]))["type"] == "connection_success"
