"""The message limit at a window's edge, against a real uvicorn process: one user's REST and socket
sends share one sliding window, so a burst just before a (fixed) window boundary and another just
after it cannot pass twice the limit; refusals carry the time until a send is accepted again."""

import asyncio
import time
from datetime import timedelta

import pytest

from chat.models import Message
from chat.ratelimit import parse_rate
from chat.tests.conftest import LiveHttp
from chat.tests.servers import start_uvicorn
from chat.tests.sockets import chat_socket

pytestmark = pytest.mark.live_server_process

RATE = "6/4s"
LIMIT, PERIOD = parse_rate(RATE)
LEAD = 1.0  # the first burst starts this long before a multiple of the period (a fixed window's edge)


async def _until_edge_minus(lead):
    """Sleep until ``lead`` seconds before the next multiple of PERIOD (epoch time); return that edge."""
    now = time.time()
    edge = (now // PERIOD + 1) * PERIOD
    if edge - now < lead + 0.2:
        edge += PERIOD
    await asyncio.sleep(edge - lead - now)
    return edge


async def _burst(http, socket, path, user, label):
    """Half of LIMIT over REST and half over the socket, all at once; the REST responses."""
    half = LIMIT // 2

    async def over_socket():
        for number in range(half):
            await socket.send({"type": "chat.message", "payload": {"text": f"{label} socket {number}"}})

    *responses, _ = await asyncio.gather(
        *(http.apost(path, user, json={"text": f"{label} rest {number}"}) for number in range(half)),
        over_socket(),
    )
    return responses


async def _socket_refusals(socket):
    """The ``rate_limited`` error frames the socket got up to now (a ping answered marks the end)."""
    await socket.send({"type": "ping"})
    refusals = []
    while True:
        frame = await socket.receive()
        if frame["type"] == "pong":
            return refusals
        if frame["type"] == "error":
            refusals.append(frame)


def test_bursts_on_both_sides_of_a_window_edge_pass_the_limit_once_over_rest_and_socket(
    transactional_db, pair
):
    buyer, seller, thread = pair
    server = start_uvicorn({"CHAT_MESSAGE_RATE": RATE})
    http = LiveHttp(server)
    path = f"/api/chat/conversations/{thread.pk}/messages/"
    try:

        async def scenario():
            async with chat_socket(server, thread.pk, buyer) as socket:
                assert (await http.aget(path, buyer)).status_code == 200  # a warm server
                await socket.settled()
                edge = await _until_edge_minus(LEAD)
                first_sent = time.time()
                before_edge = await _burst(http, socket, path, buyer, "before")
                first_refusals = await _socket_refusals(socket)
                first_done = time.time()
                await asyncio.sleep(max(0.0, edge + 0.05 - time.time()))
                second_sent = time.time()
                after_edge = await _burst(http, socket, path, buyer, "after")
                second_refusals = await _socket_refusals(socket)
                second_done = time.time()
                waits = [r.json()["retry_after"] for r in after_edge if r.status_code == 429]
                waits += [frame["retry_after"] for frame in second_refusals]
                # The window slides: once the time it named has passed, one send is taken again.
                await asyncio.sleep(min(waits) + 0.3)
                reopened = await http.apost(path, buyer, json={"text": "reopened"})
            # What a refusal may name: the time until the first burst's oldest send leaves the
            # window (it was counted between first_sent and first_done), not a fixed window's rest.
            bounds = (first_sent + PERIOD - second_done - 0.1, first_done + PERIOD - second_sent + 0.1)
            return before_edge, first_refusals, after_edge, second_refusals, waits, bounds, reopened

        before_edge, first_refusals, after_edge, second_refusals, waits, bounds, reopened = asyncio.run(
            scenario()
        )
    finally:
        server.stop()

    assert [response.status_code for response in before_edge] == [201] * (LIMIT // 2)
    assert first_refusals == []
    # Just past the edge a fixed window would take LIMIT more; the sliding window takes none.
    assert [response.status_code for response in after_edge] == [429] * (LIMIT // 2)
    assert [frame["code"] for frame in second_refusals] == ["rate_limited"] * (LIMIT // 2)
    for response in after_edge:
        assert response.json()["code"] == "rate_limited"
    assert all(bounds[0] <= wait <= bounds[1] for wait in waits), (waits, bounds)
    assert reopened.status_code == 201, reopened.content
    stored = list(
        Message.objects.filter(thread=thread).order_by("created_at").values_list("created_at", flat=True)
    )
    assert len(stored) == LIMIT + 1
    # Whatever the timing, no window of the period (less the time a send may take to be stored
    # after it is counted) holds more than the limit.
    window = timedelta(seconds=PERIOD - 0.5)
    assert all(stored[index + LIMIT] - stored[index] >= window for index in range(len(stored) - LIMIT))
