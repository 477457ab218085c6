"""Backpressure against a real uvicorn process (the production server) on the Redis layer: a
client that never reads while others chat. The others' messages keep flowing at their pace, the
server's memory stays bounded (its RSS, read from /proc), the stalled socket is disconnected after
the send timeout, and every message it missed is stored and listed over REST."""

import asyncio
import socket as tcp
import time

import pytest
from rest_framework_simplejwt.tokens import AccessToken
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from authentication.tests.factories import SellerFactory, UserFactory
from chat.tests.factories import ProductFactory, thread_between
from chat.tests.realtime import collect_messages, rss_bytes, start_production_uvicorn, stored_message_ids
from chat.tests.sockets import ORIGIN, chat_socket

pytestmark = pytest.mark.live_server_process

MiB = 1024 * 1024
SEND_TIMEOUT = 20  # seconds a socket may leave frames unread before it is dropped
CAPACITY = 20  # events queued per socket in the channel layer
TEXT = "x" * 100_000
PUSHED = 250  # messages of 100 kB pushed at the stalled socket (25 MB) ...
PUSH_SECONDS = 12  # ... or as many as fit in this time, well inside the stall


DROPPED = "dropped: no frame read"  # the server's log line when it drops a slow reader


async def _server_logged(server, text, seconds):
    """Whether the server process logs ``text`` within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in server.log_path.read_text():
            return True
        await asyncio.sleep(0.2)
    return False


def _stalled_client_socket(port):
    """A TCP connection with a small receive buffer, whose bytes the test never reads."""
    sock = tcp.socket()
    sock.setsockopt(tcp.SOL_SOCKET, tcp.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    return sock


async def _chat(sender, readers, count, label, seconds=None):
    """``sender`` sends ``count`` big messages (or as many as fit in ``seconds``) one after the
    other, each once ``readers`` all have it; returns each one's time from send to the last copy."""
    latencies = []
    deadline = time.monotonic() + seconds if seconds else None
    for number in range(count):
        if deadline and time.monotonic() > deadline:
            break
        started = time.monotonic()
        await sender.send({"type": "chat.message", "payload": {"text": f"{label} {number} {TEXT}"}})
        await asyncio.gather(*(collect_messages(reader, 1) for reader in readers))
        latencies.append(time.monotonic() - started)
    return latencies


async def _ping_pong(first, second, count):
    """Small messages between another pair, alternating sides: each one's delivery time."""
    latencies = []
    for number in range(count):
        sender, receiver = (first, second) if number % 2 == 0 else (second, first)
        started = time.monotonic()
        await sender.send({"type": "chat.message", "payload": {"text": f"pong {number}"}})
        await asyncio.gather(collect_messages(receiver, 1), collect_messages(sender, 1))
        latencies.append(time.monotonic() - started)
    return latencies


async def _drain_until_closed(connection, timeout):
    """Read what the server managed to send before it dropped the connection; (frames, closed)."""
    frames = 0
    try:
        while True:
            await asyncio.wait_for(connection.recv(), timeout=timeout)
            frames += 1
    except ConnectionClosed:
        return frames, True
    except TimeoutError:
        return frames, False


def test_a_client_that_never_reads_costs_the_others_nothing_and_the_server_bounded_memory(transactional_db):
    buyer, seller = UserFactory(username="anna"), SellerFactory(username="bruno")
    thread = thread_between(buyer, seller, product=ProductFactory(seller=seller))
    carla, dario = UserFactory(username="carla"), SellerFactory(username="dario")
    other_thread = thread_between(carla, dario, product=ProductFactory(seller=dario))
    server = start_production_uvicorn(
        {
            "WEBSOCKET_SEND_TIMEOUT_SECONDS": str(SEND_TIMEOUT),
            "CHANNEL_LAYER_CAPACITY": str(CAPACITY),
            "CHAT_MESSAGE_RATE": "100000/min",
            "CHAT_MESSAGE_MAX_LENGTH": str(len(TEXT) + 100),
        }
    )
    stalled_path = f"{server.ws_url}/ws/chat/{thread.pk}/?token={AccessToken.for_user(seller)}"
    try:

        async def scenario():
            seen = {}
            async with (
                chat_socket(server, thread.pk, buyer) as a,
                chat_socket(server, thread.pk, seller) as b,
                chat_socket(server, other_thread.pk, carla) as c,
                chat_socket(server, other_thread.pk, dario) as d,
            ):
                # Warm-up at the same sizes: pools, connections and allocator arenas settle.
                await _chat(a, [a, b], 60, "warm-up")
                seen["baseline_pings"] = await _ping_pong(c, d, 20)
                seen["before"] = rss_bytes(server.process.pid)
                async with connect(
                    stalled_path,
                    origin=ORIGIN,
                    sock=_stalled_client_socket(server.port),
                    max_queue=1,
                    compression=None,
                    close_timeout=1,
                ) as stalled:
                    pushed_at = time.monotonic()
                    seen["pushing"], seen["pinging"] = await asyncio.gather(
                        _chat(a, [a, b], PUSHED, "big", PUSH_SECONDS), _ping_pong(c, d, 60)
                    )
                    seen["pushed_in"] = time.monotonic() - pushed_at
                    seen["during"] = rss_bytes(server.process.pid)
                    seen["still_stalled"] = DROPPED not in server.log_path.read_text()
                    # Reading now would unblock it: wait (still not reading) for the server to drop it.
                    seen["dropped"] = await _server_logged(server, DROPPED, seconds=SEND_TIMEOUT + 15)
                    seen["frames"], seen["closed"] = await _drain_until_closed(stalled, timeout=5)
                seen["after"] = rss_bytes(server.process.pid)
                return seen

        seen = asyncio.run(scenario())
        stored = stored_message_ids(server, thread.pk, seller)
        log = server.log_path.read_text()
    finally:
        server.stop()

    pushed, grew_stalled, grew_after = (
        len(seen["pushing"]),
        seen["during"] - seen["before"],
        seen["after"] - seen["before"],
    )
    report = (
        f"pushed {pushed} x 100 kB in {seen['pushed_in']:.1f} s; RSS {seen['before'] / MiB:.1f} -> "
        f"{seen['during'] / MiB:.1f} (stalled) -> {seen['after'] / MiB:.1f} MiB; the stalled socket read "
        f"{seen['frames']} frames; big-message round trips max {max(seen['pushing']):.2f} s; pings max "
        f"{max(seen['baseline_pings']):.3f} s before, {max(seen['pinging']):.3f} s during"
    )
    # The whole push happened while the socket was stalled (not yet dropped).
    assert seen["still_stalled"], report
    # The others: every message delivered (collected above, in full), none waiting on the stall.
    assert max(seen["pushing"]) < 2.0 and max(seen["pinging"]) < 2.0, report
    # Memory: 12 to 25 MB were addressed to the stalled socket; the server kept a bounded part.
    assert pushed >= 120, report
    assert max(grew_stalled, grew_after) < min(12 * MiB, pushed * len(TEXT) / 2), report
    # It read at most what the buffers and its bounded queue held, then the server dropped it.
    assert seen["dropped"] and seen["closed"], report
    assert seen["frames"] < pushed // 2, report
    assert "Channel " in log and "over capacity: event dropped" in log
    assert f"{DROPPED} for {float(SEND_TIMEOUT)} s" in log
    # Everything is stored and listed over REST for the user whose socket was dropped.
    assert len(stored) == 60 + pushed
