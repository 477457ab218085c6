"""The activity socket spread over processes: a user's events reach their activity socket on
another server process than the one (or the worker) that raised them, through the Redis layer.
(The chat socket's counterpart is test_sockets.py's two-process test.)"""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from chat.tests.factories import ProductFactory
from chat.tests.servers import start_uvicorn
from chat.tests.sockets import activity_socket, chat_socket
from designiaBackend.api.notifications import notify

pytestmark = pytest.mark.live_server_process


def test_activity_events_reach_a_socket_on_another_process(live_asgi_server, live_http, pair):
    buyer, seller, thread = pair
    product = ProductFactory()
    second = start_uvicorn()
    try:

        async def scenario():
            frames = {}
            async with (
                activity_socket(second, buyer) as buyer_activity,  # on the uvicorn process
                activity_socket(live_asgi_server, seller) as seller_activity,  # on daphne
                chat_socket(live_asgi_server, thread.pk, seller) as seller_chat,
                chat_socket(second, thread.pk, buyer) as buyer_chat,
            ):
                # REST on daphne changes the buyer's cart: the buyer's socket on uvicorn hears it.
                added = await live_http.apost(
                    "/api/marketplace/cart/add_item/", buyer, json={"product_id": product.pk, "quantity": 1}
                )
                assert added.status_code in (200, 201), added.content
                frames["cart"] = await buyer_activity.receive_type("cart_updated")
                # Chat messages sent on one process reach the recipient's activity socket on the other.
                await seller_chat.send({"type": "chat.message", "payload": {"text": "from daphne"}})
                frames["to_buyer"] = await buyer_activity.receive_type("chat.message")
                await buyer_chat.send({"type": "chat.message", "payload": {"text": "from uvicorn"}})
                frames["to_seller"] = await seller_activity.receive_type("chat.message")
                # The buyer reads the thread over REST on daphne: the unread count on uvicorn.
                read = await live_http.apost(f"/api/chat/conversations/{thread.pk}/mark_read/", buyer)
                assert read.status_code == 200, read.content
                frames["unread"] = await buyer_activity.receive_type("unread_messages_count_update")
                # A notification raised outside both servers (as a worker would) ...
                notification = await sync_to_async(notify)(
                    recipient=buyer,
                    kind="shipment_shipped",
                    event_key=f"test-shipped-{thread.pk}",
                    title="Your order is on its way",
                    body="Tracking inside.",
                    email=False,
                )
                frames["notification"] = await buyer_activity.receive_type("notification")
                # ... and read over REST on daphne.
                read = await live_http.apost(f"/api/notifications/{notification.pk}/read/", buyer)
                assert read.status_code == 200, read.content
                frames["notifications_read"] = await buyer_activity.receive_type(
                    "unread_notifications_count_update"
                )
                # What the buyer's socket was told matches what a fresh connection is told.
                async with activity_socket(live_asgi_server, buyer) as fresh:
                    frames["welcome"] = fresh.welcome
            return notification, frames

        notification, frames = asyncio.run(scenario())
    finally:
        second.stop()

    assert frames["cart"]["cart_count"] == 1
    assert frames["to_buyer"]["data"]["text"] == "from daphne"
    assert frames["to_buyer"]["data"]["thread_id"] == str(thread.pk)
    assert frames["to_seller"]["data"]["text"] == "from uvicorn"
    assert frames["unread"]["unread_messages_count"] == 0
    assert frames["unread"]["thread_id"] == str(thread.pk)
    assert frames["notification"]["notification"]["id"] == str(notification.pk)
    assert frames["notification"]["unread_notifications_count"] == 1
    assert frames["notifications_read"]["unread_notifications_count"] == 0
    welcome = frames["welcome"]
    assert (
        welcome["cart_count"],
        welcome["unread_messages_count"],
        welcome["unread_notifications_count"],
    ) == (
        1,
        0,
        0,
    )
