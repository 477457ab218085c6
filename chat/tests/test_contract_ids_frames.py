"""Contract §4.2 / C21 on the sockets: every frame the client reads carries its ids as strings.

The REST half of the rule is ``designiaBackend/tests/test_contract_ids.py``.
"""

import asyncio

import pytest

from chat.tests.factories import ProductFactory
from chat.tests.sockets import activity_socket, chat_socket
from designiaBackend.tests.public_ids import numeric_ids

pytestmark = pytest.mark.live_server_process


def test_every_socket_frame_carries_string_ids(live_asgi_server, live_http, pair):
    buyer, seller, thread = pair
    lamp = ProductFactory(seller=seller, name="Lamp")

    async def scenario():
        async with (
            chat_socket(live_asgi_server, thread.pk, buyer) as buyer_chat,
            chat_socket(live_asgi_server, thread.pk, seller) as seller_chat,
            activity_socket(live_asgi_server, buyer) as buyer_activity,
            activity_socket(live_asgi_server, seller) as seller_activity,
        ):
            frames = [buyer_activity.welcome, seller_activity.welcome]
            await buyer_chat.send({"type": "chat.message", "payload": {"text": "Is it solid oak?"}})
            frames += [
                await buyer_chat.receive_type("chat.message"),
                await seller_chat.receive_type("chat.message"),
                await seller_activity.receive_type("chat.message"),
            ]
            await seller_chat.send({"type": "chat.typing"})
            frames.append(await buyer_chat.receive_type("chat.typing"))
            read = await live_http.apost(f"/api/chat/conversations/{thread.pk}/mark_read/", seller)
            assert read.status_code == 200
            frames += [
                await buyer_chat.receive_type("chat.read"),
                await seller_activity.receive_type("unread_messages_count_update"),
            ]
            added = await live_http.apost(
                "/api/marketplace/cart/add_item/", buyer, json={"product_id": str(lamp.pk), "quantity": 1}
            )
            assert added.status_code == 200
            frames.append(await buyer_activity.receive_type("cart_updated"))
            return frames

    frames = asyncio.run(scenario())

    assert [frame["type"] for frame in frames] == [
        "connection_success",
        "connection_success",
        "chat.message",
        "chat.message",
        "chat.message",
        "chat.typing",
        "chat.read",
        "unread_messages_count_update",
        "cart_updated",
    ]
    assert [path for frame in frames for path in numeric_ids(frame)] == []
    message = frames[2]["data"]
    assert message["id"].startswith("temp-") is False  # the client's de-duplication of its own copy
    assert message["thread_id"] == str(thread.pk)
    assert {frame["data"]["id"] for frame in frames[2:5]} == {message["id"]}
