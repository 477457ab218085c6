"""Message order per thread under concurrent senders, against two real uvicorn processes on the
Redis layer: both participants, several sockets of one user and a REST client send at once, and
every receiver sees the messages in one order, the order REST lists them in."""

import asyncio
from contextlib import AsyncExitStack

import pytest

from chat.tests.conftest import LiveHttp
from chat.tests.realtime import collect_messages, stored_message_ids
from chat.tests.servers import start_uvicorn
from chat.tests.sockets import activity_socket, chat_socket

pytestmark = pytest.mark.live_server_process

PER_SENDER = 12
UNLIMITED = {"CHAT_MESSAGE_RATE": "100000/min"}


async def _send_burst(socket, label):
    for number in range(PER_SENDER):
        await socket.send({"type": "chat.message", "payload": {"text": f"{label} {number}"}})


async def _post_burst(live_http, path, user, label):
    for number in range(PER_SENDER):
        response = await live_http.apost(path, user, json={"text": f"{label} {number}"})
        assert response.status_code == 201, response.content


def test_concurrent_senders_on_two_processes_are_seen_in_the_stored_order_by_every_receiver(
    transactional_db, pair
):
    buyer, seller, thread = pair
    first, second = start_uvicorn(UNLIMITED), start_uvicorn(UNLIMITED)
    # Three sockets of the buyer, two of the seller, spread over both processes.
    layout = [(buyer, first), (buyer, first), (buyer, second), (seller, first), (seller, second)]
    rest = LiveHttp(second)
    total = PER_SENDER * (len(layout) + 1)
    from_buyer = PER_SENDER * 4  # three sockets and the REST client

    try:

        async def scenario():
            async with AsyncExitStack() as stack:
                sockets = [
                    await stack.enter_async_context(chat_socket(server, thread.pk, user))
                    for user, server in layout
                ]
                buyer_activity = await stack.enter_async_context(activity_socket(first, buyer))
                seller_activity = await stack.enter_async_context(activity_socket(second, seller))
                receiving = [asyncio.ensure_future(collect_messages(socket, total)) for socket in sockets]
                receiving.append(asyncio.ensure_future(collect_messages(buyer_activity, total - from_buyer)))
                receiving.append(asyncio.ensure_future(collect_messages(seller_activity, from_buyer)))
                await asyncio.gather(
                    *(_send_burst(socket, f"socket{index}") for index, socket in enumerate(sockets)),
                    _post_burst(rest, f"/api/chat/conversations/{thread.pk}/messages/", buyer, "rest"),
                )
                return await asyncio.gather(*receiving)

        *on_chat_sockets, on_buyer_activity, on_seller_activity = asyncio.run(scenario())
        stored = stored_message_ids(first, thread.pk, seller)
    finally:
        first.stop()
        second.stop()

    assert len(stored) == len(set(stored)) == total
    for seen in on_chat_sockets:
        assert seen == stored
    senders = dict(thread.messages.values_list("id", "sender_id"))
    by_id = {str(message_id): sender for message_id, sender in senders.items()}
    assert on_buyer_activity == [mid for mid in stored if by_id[mid] == seller.pk]
    assert on_seller_activity == [mid for mid in stored if by_id[mid] == buyer.pk]
