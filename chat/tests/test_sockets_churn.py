"""Sockets under churn, against real server processes (daphne and uvicorn) on the Redis layer:
token expiry, password change, removal and ban, the shared sliding-window limit, slow readers."""

import asyncio
import json
import socket as tcp
import time
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from rest_framework_simplejwt.tokens import AccessToken
from websockets.asyncio.client import connect

from authentication.services.credentials import password_change
from authentication.tests.factories import UserFactory
from chat import ratelimit, services
from chat.models import Message
from chat.tests.factories import ProductFactory
from chat.tests.servers import start_uvicorn
from chat.tests.sockets import ORIGIN, activity_socket, chat_socket

pytestmark = pytest.mark.live_server_process

PASSWORD = "Old-Passw0rd!x"


async def _cart_marker(live_http, user, product, activity):
    """``user`` adds ``product`` (another shop's) to the cart: ``activity`` must hear that first."""
    added = await live_http.apost(
        "/api/marketplace/cart/add_item/", user, json={"product_id": product.pk, "quantity": 1}
    )
    assert added.status_code in (200, 201), added.content
    await activity.assert_next_is("cart_updated")


def test_a_socket_closes_with_4001_when_its_access_token_expires(live_asgi_server, pair):
    buyer, seller, thread = pair
    token = AccessToken.for_user(buyer)
    token.set_exp(lifetime=timedelta(seconds=2))

    async def scenario():
        async with chat_socket(live_asgi_server, thread.pk, token=str(token)) as a:
            await a.send({"type": "ping"})
            pong = await a.receive()
            started = time.monotonic()
            code = await a.close_code(timeout=6)
            return pong, code, time.monotonic() - started

    pong, code, waited = asyncio.run(scenario())
    assert pong == {"type": "pong"}
    assert code == 4001
    assert waited < 3.5


def test_a_password_change_closes_every_socket_of_the_user_in_every_process(
    live_asgi_server, live_http, pair
):
    buyer, seller, thread = pair
    buyer.set_password(PASSWORD)
    buyer.save(update_fields=["password"])
    second = start_uvicorn()
    try:

        async def scenario():
            async with (
                chat_socket(live_asgi_server, thread.pk, buyer) as a_chat,
                activity_socket(second, buyer) as a_activity,
                chat_socket(second, thread.pk, seller) as b_chat,
                activity_socket(second, seller) as b_activity,
            ):
                # The activity socket on the other process gets what the first one stores.
                await a_chat.send({"type": "chat.message", "payload": {"text": "across"}})
                pushed = await b_activity.receive_type("chat.message")
                await b_chat.receive_type("chat.message")
                await sync_to_async(password_change)(
                    user=buyer, current_password=PASSWORD, new_password="New-Passw0rd!y"
                )
                started = time.monotonic()
                codes = await asyncio.gather(a_chat.close_code(timeout=5), a_activity.close_code(timeout=5))
                closed_in = time.monotonic() - started
                await b_chat.send({"type": "ping"})
                return pushed, codes, closed_in, await b_chat.receive_type("pong")

        pushed, codes, closed_in, pong = asyncio.run(scenario())
    finally:
        second.stop()
    assert pushed["data"]["text"] == "across"
    assert pushed["data"]["thread_id"] == str(thread.pk)
    assert not buyer.__class__.objects.get(pk=buyer.pk).check_password(PASSWORD)
    assert codes == [4001, 4001]
    assert closed_in < 1.5
    assert pong == {"type": "pong"}  # the other participant's sockets stay open


def test_a_participant_removed_from_the_thread_stops_receiving_within_a_second(
    live_asgi_server, live_http, pair
):
    buyer, seller, thread = pair
    other_shops = ProductFactory()

    async def scenario():
        async with (
            chat_socket(live_asgi_server, thread.pk, buyer) as a,
            chat_socket(live_asgi_server, thread.pk, seller) as b,
            activity_socket(live_asgi_server, seller) as b_activity,
        ):
            removed = await sync_to_async(services.thread_participant_remove)(
                thread_id=thread.pk, user_id=seller.pk
            )
            started = time.monotonic()
            code = await b.close_code(timeout=3)
            closed_in = time.monotonic() - started
            await a.send({"type": "chat.message", "payload": {"text": "still there?"}})
            echo = await a.receive_type("chat.message")
            # Marker: once A's sends are done, B's own cart change is the first thing B hears.
            await a.settled()
            await _cart_marker(live_http, seller, other_shops, b_activity)
            return removed, code, closed_in, echo

    removed, code, closed_in, echo = asyncio.run(scenario())
    assert removed is True
    assert (code, closed_in < 1.0) == (4003, True)
    assert echo["data"]["text"] == "still there?"
    assert Message.objects.get().text == "still there?"


def test_a_banned_user_stops_receiving_within_a_second_and_resumes_when_lifted(
    live_asgi_server, live_http, pair
):
    buyer, seller, thread = pair
    other_shops = ProductFactory()
    staff = UserFactory(is_staff=True)

    async def scenario():
        async with (
            chat_socket(live_asgi_server, thread.pk, buyer) as a,
            chat_socket(live_asgi_server, thread.pk, seller) as b,
            activity_socket(live_asgi_server, seller) as b_activity,
        ):
            await sync_to_async(services.chat_ban_create)(user=seller, created_by=staff, reason="spam")
            notice = await b.receive_type("error", timeout=1.0)
            await a.send({"type": "chat.message", "payload": {"text": "not for you"}})
            await a.receive_type("chat.message")
            await a.send({"type": "chat.typing"})  # marker: B hears A's typing, not the message
            assert (await b.assert_next_is("chat.typing"))["user_id"] == str(buyer.pk)
            await _cart_marker(live_http, seller, other_shops, b_activity)
            await b.send({"type": "chat.message", "payload": {"text": "let me"}})
            refused = await b.receive_type("error")
            # The lift's event reaches B's socket before A's next message (one subscriber, in order).
            await sync_to_async(services.chat_ban_lift)(user=seller, lifted_by=staff)
            await a.send({"type": "chat.message", "payload": {"text": "welcome back"}})
            back = await b.receive_type("chat.message")
            return notice, refused, back

    notice, refused, back = asyncio.run(scenario())
    assert notice["code"] == refused["code"] == "chat_blocked"
    assert back["data"]["text"] == "welcome back"
    assert list(Message.objects.order_by("id").values_list("text", flat=True)) == [
        "not for you",
        "welcome back",
    ]


def test_the_message_limit_is_one_sliding_window_for_rest_and_socket(
    live_asgi_server, live_http, pair, settings
):
    buyer, seller, thread = pair
    limit, period = ratelimit.parse_rate(settings.CHAT_MESSAGE_RATE)
    url = f"/api/chat/conversations/{thread.pk}/messages/"

    async def scenario():
        statuses = [
            (await live_http.apost(url, buyer, json={"text": f"rest {n}"})).status_code
            for n in range(limit - 2)
        ]
        async with chat_socket(live_asgi_server, thread.pk, buyer) as a:
            for number in range(4):
                await a.send({"type": "chat.message", "payload": {"text": f"socket {number}"}})
            frames = [await a.receive() for _ in range(4)]
        refused_rest = await live_http.apost(url, buyer, json={"text": "one more"})
        return statuses, frames, refused_rest

    statuses, frames, refused_rest = asyncio.run(scenario())
    assert statuses == [201] * (limit - 2)
    # The refusals are sent at once, the echoes come back through Redis: their order varies.
    assert sorted(frame["type"] for frame in frames) == ["chat.message", "chat.message", "error", "error"]
    for frame in (frame for frame in frames if frame["type"] == "error"):
        assert frame["code"] == "rate_limited"
        assert 0 < frame["retry_after"] <= period
        assert f"{frame['retry_after']:g} s" in frame["message"]
    assert refused_rest.status_code == 429
    assert refused_rest.json()["code"] == "rate_limited"
    assert 0 < refused_rest.json()["retry_after"] <= period
    assert Message.objects.filter(thread=thread).count() == limit


def test_a_sliding_window_lets_no_burst_through_at_a_window_edge(db):
    """Three per two seconds: after a full burst, one more only as each earlier one ages out."""
    ident = f"edge-{time.time_ns()}"
    assert [ratelimit.take("test", ident, "3/2s") for _ in range(3)] == [0.0, 0.0, 0.0]
    time.sleep(1.2)
    wait = ratelimit.take("test", ident, "3/2s")
    assert 0.6 < wait < 0.9  # a fixed window would have opened a new allowance by now
    time.sleep(wait + 0.05)
    assert ratelimit.take("test", ident, "3/2s") == 0.0


def _small_buffer_socket(port):
    sock = tcp.socket()
    sock.setsockopt(tcp.SOL_SOCKET, tcp.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    return sock


def test_a_stalled_reader_is_disconnected_without_slowing_the_others(transactional_db, pair):
    """A client that never reads: the others' messages keep flowing, the stalled socket is closed
    after the send timeout, and every message is stored (fetched later over REST)."""
    buyer, seller, thread = pair
    server = start_uvicorn(
        {
            "WEBSOCKET_SEND_TIMEOUT_SECONDS": "2",
            "CHANNEL_LAYER_CAPACITY": "20",
            "CHAT_MESSAGE_RATE": "100000/min",
            "CHAT_MESSAGE_MAX_LENGTH": "100000",
        }
    )
    text = "x" * 60_000
    count = 150
    try:

        async def scenario():
            path = f"/ws/chat/{thread.pk}/?token={AccessToken.for_user(seller)}"
            async with (
                chat_socket(server, thread.pk, buyer) as a,
                connect(
                    f"{server.ws_url}{path}",
                    origin=ORIGIN,
                    sock=_small_buffer_socket(server.port),
                    max_queue=1,
                    compression=None,
                    close_timeout=1,
                ) as stalled,
            ):
                slowest = 0.0
                for number in range(count):
                    sent = time.monotonic()
                    await a.send({"type": "chat.message", "payload": {"text": f"{number} {text}"}})
                    await a.receive_type("chat.message")
                    slowest = max(slowest, time.monotonic() - sent)
                await asyncio.sleep(3)
                received = 0
                try:
                    while True:
                        json.loads(await asyncio.wait_for(stalled.recv(), timeout=15))
                        received += 1
                except Exception as closed:  # noqa: BLE001 (closed by the server, one way or another)
                    return slowest, received, type(closed).__name__

        slowest, received, ending = asyncio.run(scenario())
    finally:
        server.stop()
    assert slowest < 2.0  # the stalled reader never held up its peer's echoes
    assert received < count  # it was cut off before the end
    assert ending in ("ConnectionClosedError", "ConnectionClosedOK")
    assert Message.objects.filter(thread=thread).count() == count
