"""Sockets when their tokens end, on the production server (uvicorn) beside daphne: expiry closes
both consumers with 4001 and the client comes back with a refreshed token; a sign-out closes that
login's sockets (only), a password change over REST all of the user's; the ended tokens cannot
reconnect, the new ones can."""

import asyncio
import time
from datetime import timedelta

import pytest
import requests
from rest_framework_simplejwt.tokens import AccessToken

from authentication.services.sessions import tokens_issue
from chat.tests.servers import start_uvicorn
from chat.tests.sockets import ORIGIN, chat_socket, open_socket

pytestmark = pytest.mark.live_server_process

PASSWORD = "Old-Passw0rd!x"
NEW_PASSWORD = "New-Passw0rd!y"


async def _refused(server, path, token):
    """The close code of a connection attempt with ``token`` (4001 when the token no longer counts)."""
    async with open_socket(server, path, token=token) as socket:
        return await socket.close_code(timeout=5)


async def _answers(server, path, token):
    async with open_socket(server, path, token=token) as socket:
        await socket.send({"type": "ping"})
        return (await socket.receive_type("pong"))["type"]


@pytest.fixture
def uvicorn_server(transactional_db):
    server = start_uvicorn()
    yield server
    server.stop()


def test_both_sockets_close_with_4001_at_expiry_and_reconnect_with_a_refreshed_token(
    uvicorn_server, live_http, pair
):
    buyer, seller, thread = pair
    short = AccessToken.for_user(buyer)
    short.set_exp(lifetime=timedelta(seconds=2))
    _, refresh = tokens_issue(user=buyer)
    chat_path = f"/ws/chat/{thread.pk}/"

    async def scenario():
        async with (
            open_socket(uvicorn_server, chat_path, token=str(short)) as chat,
            open_socket(uvicorn_server, "/ws/activity/", token=str(short)) as activity,
        ):
            await activity.receive_type("connection_success")
            started = time.monotonic()
            codes = await asyncio.gather(chat.close_code(timeout=6), activity.close_code(timeout=6))
            closed_after = time.monotonic() - started
        again = await _refused(uvicorn_server, chat_path, str(short))
        refreshed = await live_http.apost("/api/auth/token/refresh/", json={"refresh": refresh})
        assert refreshed.status_code == 200, refreshed.content
        back = await _answers(uvicorn_server, chat_path, refreshed.json()["access"])
        return codes, closed_after, again, back

    codes, closed_after, again, back = asyncio.run(scenario())
    assert codes == [4001, 4001]
    assert closed_after < 3.5  # the token had at most 2 s left
    assert again == 4001
    assert back == "pong"


def test_a_sign_out_closes_that_logins_sockets_in_every_process_and_no_others(
    live_asgi_server, uvicorn_server, live_http, pair
):
    buyer, seller, thread = pair
    access_a, refresh_a = tokens_issue(user=buyer)  # the login that signs out
    access_b, _ = tokens_issue(user=buyer)  # another device of the same user

    async def scenario():
        async with (
            chat_socket(uvicorn_server, thread.pk, token=access_a) as a_chat,
            open_socket(live_asgi_server, "/ws/activity/", token=access_a) as a_activity,
            chat_socket(uvicorn_server, thread.pk, token=access_b) as b_chat,
        ):
            await a_activity.receive_type("connection_success")
            signed_out = await live_http.apost("/api/auth/logout/", json={"refresh": refresh_a})
            assert signed_out.status_code == 200, signed_out.content
            started = time.monotonic()
            codes = await asyncio.gather(a_chat.close_code(timeout=3), a_activity.close_code(timeout=3))
            closed_in = time.monotonic() - started
            await b_chat.send({"type": "ping"})
            other = (await b_chat.receive_type("pong"))["type"]
        again = await _refused(uvicorn_server, f"/ws/chat/{thread.pk}/", access_a)
        return codes, closed_in, other, again

    codes, closed_in, other, again = asyncio.run(scenario())
    assert codes == [4001, 4001]
    assert closed_in < 1.0
    assert other == "pong"
    assert again == 4001


def test_a_password_change_over_rest_closes_the_users_sockets_and_only_the_new_token_reconnects(
    live_asgi_server, uvicorn_server, live_http, pair, settings
):
    buyer, seller, thread = pair
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # the servers'
    buyer.set_password(PASSWORD)
    buyer.save(update_fields=["password"])
    access, _ = tokens_issue(user=buyer)

    async def scenario():
        async with (
            chat_socket(uvicorn_server, thread.pk, token=access) as on_uvicorn,
            chat_socket(live_asgi_server, thread.pk, token=access) as on_daphne,
        ):
            changed = await asyncio.to_thread(
                requests.post,
                f"{live_asgi_server.http_url}/api/auth/password/change/",
                headers={"Origin": ORIGIN, "Authorization": f"Bearer {access}"},
                timeout=15,
                json={
                    "current_password": PASSWORD,
                    "new_password": NEW_PASSWORD,
                    "new_password_confirm": NEW_PASSWORD,
                },
            )
            assert changed.status_code == 200, changed.content
            started = time.monotonic()
            codes = await asyncio.gather(on_uvicorn.close_code(timeout=3), on_daphne.close_code(timeout=3))
            closed_in = time.monotonic() - started
        chat_path = f"/ws/chat/{thread.pk}/"
        old = await _refused(uvicorn_server, chat_path, access)
        new = await _answers(uvicorn_server, chat_path, changed.json()["access"])
        return codes, closed_in, old, new

    codes, closed_in, old, new = asyncio.run(scenario())
    assert codes == [4001, 4001]
    assert closed_in < 1.0
    assert old == 4001
    assert new == "pong"
