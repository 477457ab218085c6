"""A user banned from chatting, then removed from a thread, while their sockets are on another
server process (uvicorn) than the sender's (daphne): within a second they stop receiving the
thread, on the chat socket and on the activity socket alike."""

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async

from authentication.tests.factories import UserFactory
from chat import services
from chat.models import Message
from chat.tests.factories import ProductFactory
from chat.tests.servers import start_uvicorn
from chat.tests.sockets import activity_socket, chat_socket

pytestmark = pytest.mark.live_server_process


def test_a_banned_then_removed_user_on_another_process_stops_receiving_within_a_second(
    live_asgi_server, live_http, pair
):
    buyer, seller, thread = pair
    other_shops = ProductFactory()
    staff = UserFactory(is_staff=True)
    second = start_uvicorn()

    async def cart_marker(activity):
        """The seller's own cart change: the next frame their activity socket must get."""
        added = await live_http.apost(
            "/api/marketplace/cart/add_item/", seller, json={"product_id": other_shops.pk, "quantity": 1}
        )
        assert added.status_code in (200, 201), added.content
        return (await activity.assert_next_is("cart_updated"))["type"]

    try:

        async def scenario():
            seen = {}
            async with (
                chat_socket(live_asgi_server, thread.pk, buyer) as a,
                chat_socket(second, thread.pk, seller) as b,
                activity_socket(second, seller) as b_activity,
            ):
                await sync_to_async(services.chat_ban_create)(user=seller, created_by=staff, reason="spam")
                started = time.monotonic()
                seen["ban_notice"] = (await b.receive_type("error", timeout=1.0))["code"]
                seen["ban_notice_in"] = time.monotonic() - started
                await a.send({"type": "chat.message", "payload": {"text": "while banned"}})
                await a.receive_type("chat.message")
                await a.send({"type": "chat.typing"})  # marker: B's chat socket hears this first
                seen["banned_chat_next"] = (await b.assert_next_is("chat.typing"))["type"]
                seen["banned_activity_next"] = await cart_marker(b_activity)

                await sync_to_async(services.chat_ban_lift)(user=seller, lifted_by=staff)
                await sync_to_async(services.thread_participant_remove)(
                    thread_id=thread.pk, user_id=seller.pk
                )
                started = time.monotonic()
                seen["removed_code"] = await b.close_code(timeout=3)
                seen["removed_in"] = time.monotonic() - started
                await asyncio.sleep(max(0.0, 1.0 - seen["removed_in"]))  # "within a second" of it
                await a.send({"type": "chat.message", "payload": {"text": "after removal"}})
                await a.receive_type("chat.message")
                await a.settled()
                seen["removed_activity_next"] = await cart_marker(b_activity)
            return seen

        seen = asyncio.run(scenario())
    finally:
        second.stop()

    assert seen["ban_notice"] == "chat_blocked" and seen["ban_notice_in"] < 1.0
    assert seen["banned_chat_next"] == "chat.typing"
    assert seen["banned_activity_next"] == "cart_updated"
    assert seen["removed_code"] == 4003 and seen["removed_in"] < 1.0
    assert seen["removed_activity_next"] == "cart_updated"
    assert list(Message.objects.order_by("id").values_list("text", flat=True)) == [
        "while banned",
        "after removal",
    ]
