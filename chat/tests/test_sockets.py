"""The chat and activity sockets against a real daphne server on the Redis channel layer."""

import asyncio
import json
from datetime import timedelta

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from authentication.tests.factories import UserFactory
from chat.models import ChatBan, Message, Thread
from chat.tests.factories import add_message
from chat.tests.sockets import activity_socket, chat_socket
from conftest import start_daphne
from marketplace.ordering.models import Cart, CartItem

pytestmark = pytest.mark.live_server_process


def test_two_users_exchange_messages_typing_and_read_receipts(live_asgi_server, live_http, pair):
    buyer, seller, thread = pair
    ids = []  # the first message's id, as each socket received it

    async def scenario():
        async with (
            chat_socket(live_asgi_server, thread.pk, buyer) as a,
            chat_socket(live_asgi_server, thread.pk, seller) as b,
        ):
            await a.send({"type": "chat.message", "payload": {"text": "  hello there 🪑 "}})
            for socket in (a, b):
                frame = await socket.receive_type("chat.message")
                assert frame["data"]["text"] == "  hello there 🪑 "
                assert frame["data"]["sender_id"] == str(buyer.pk)
                assert frame["data"]["sender_username"] == "anna"
                assert frame["data"]["thread_id"] == str(thread.pk)
                ids.append(frame["data"]["id"])
                assert frame["data"]["image_url"] is None
            await b.send({"type": "chat.message", "payload": {"text": "hi!"}})
            assert (await a.receive_type("chat.message"))["data"]["text"] == "hi!"
            assert (await b.receive_type("chat.message"))["data"]["sender_id"] == str(seller.pk)

            await b.send({"type": "chat.typing"})
            assert await a.receive() == {
                "type": "chat.typing",
                "username": "bruno",
                "user_id": str(seller.pk),
            }
            await a.send({"type": "chat.typing"})  # marker: the typist gets the next typing only
            assert (await b.assert_next_is("chat.typing"))["user_id"] == str(buyer.pk)

            response = await live_http.apost(f"/api/chat/conversations/{thread.pk}/mark_read/", seller)
            assert response.status_code == 200
            assert response.json() == {"marked_read": 1}
            for socket in (a, b):
                read = await socket.receive_type("chat.read")
                assert read["data"]["reader_id"] == str(seller.pk)
                assert read["data"]["thread_id"] == str(thread.pk)

    asyncio.run(scenario())
    messages = list(Message.objects.filter(thread=thread).order_by("id"))
    assert [(m.sender, m.text) for m in messages] == [(buyer, "  hello there 🪑 "), (seller, "hi!")]
    assert ids == [str(messages[0].pk)] * 2  # JSON strings (C21): the client calls id.startsWith()
    assert messages[0].read_at is not None and messages[1].read_at is None
    assert Thread.objects.get(pk=thread.pk).last_message == messages[1]


def test_typing_is_rate_limited_per_connection(live_asgi_server, pair):
    buyer, seller, thread = pair

    async def scenario():
        async with (
            chat_socket(live_asgi_server, thread.pk, buyer) as a,
            chat_socket(live_asgi_server, thread.pk, seller) as b,
        ):
            for _ in range(5):
                await b.send({"type": "chat.typing"})
            await b.send({"type": "chat.message", "payload": {"text": "marker"}})
            assert (await a.receive())["type"] == "chat.typing"
            marker = await a.assert_next_is("chat.message")  # no typing in between
            assert marker["data"]["text"] == "marker"

    asyncio.run(scenario())


@pytest.mark.parametrize("thread_ref", ["other", "missing", "not-a-number"])
def test_non_participants_and_unknown_threads_are_refused_with_4003(live_asgi_server, pair, thread_ref):
    buyer, seller, thread = pair
    stranger = UserFactory()
    thread_id = {"other": thread.pk, "missing": thread.pk + 999, "not-a-number": "abc"}[thread_ref]
    user = stranger if thread_ref == "other" else buyer

    async def scenario():
        async with chat_socket(live_asgi_server, thread_id, user) as socket:
            return await socket.close_code()

    assert asyncio.run(scenario()) == 4003


def test_a_message_reaches_a_client_on_another_server_process_through_redis(live_asgi_server, pair):
    buyer, seller, thread = pair
    second = start_daphne()
    try:

        async def scenario():
            async with (
                chat_socket(live_asgi_server, thread.pk, buyer) as a,
                chat_socket(second, thread.pk, seller) as b,
                activity_socket(second, seller) as b_activity,
            ):
                await a.send({"type": "chat.message", "payload": {"text": "across processes"}})
                on_b = await b.receive_type("chat.message")
                pushed = await b_activity.receive_type("chat.message")
                await b.send({"type": "chat.message", "payload": {"text": "and back"}})
                on_a = await a.receive_type("chat.message")
                while on_a["data"]["text"] == "across processes":  # a's own echo first
                    on_a = await a.receive_type("chat.message")
                return on_b, pushed, on_a

        on_b, pushed, on_a = asyncio.run(scenario())
    finally:
        second.stop()
    assert on_b["data"]["text"] == "across processes"
    assert pushed["data"]["thread_id"] == str(thread.pk)
    assert pushed["data"]["sender_username"] == "anna"
    assert on_a["data"]["text"] == "and back"
    assert Message.objects.filter(thread=thread).count() == 2


def test_bad_frames_get_error_frames_and_the_connection_keeps_working(live_asgi_server, pair, settings):
    buyer, seller, thread = pair
    kept = add_message(thread, seller, "stored before")

    async def scenario():
        errors = []
        async with chat_socket(live_asgi_server, thread.pk, buyer) as a:
            for frame in [
                "{not json",
                "[1, 2]",
                json.dumps({"no": "type"}),
                json.dumps({"type": "chat.dance"}),
                json.dumps({"type": "chat.message"}),
                json.dumps({"type": "chat.message", "payload": {"text": 42}}),
                json.dumps({"type": "chat.message", "payload": {"text": "   "}}),
                json.dumps(
                    {
                        "type": "chat.message",
                        "payload": {"text": "x" * (settings.CHAT_MESSAGE_MAX_LENGTH + 1)},
                    }
                ),
                json.dumps({"type": "chat.message", "payload": {"text": "y" * 300_000}}),
            ]:
                await a.send(frame)
                errors.append(await a.receive())
            await a.connection.send(b"\x00\x01binary")
            errors.append(await a.receive())
            await a.send({"type": "ping"})
            pong = await a.receive()
            await a.send({"type": "chat.message", "payload": {"text": "still here\x00\x07!"}})
            echo = await a.receive_type("chat.message")
        return errors, pong, echo

    errors, pong, echo = asyncio.run(scenario())
    assert [frame["type"] for frame in errors] == ["error"] * 10
    assert [frame["code"] for frame in errors] == [
        "invalid_frame",
        "invalid_frame",
        "invalid_frame",
        "unknown_type",
        "invalid_payload",
        "invalid_payload",
        "invalid_message",
        "message_too_long",
        "frame_too_large",
        "invalid_frame",
    ]
    assert all(isinstance(frame["message"], str) and frame["message"] for frame in errors)
    assert pong == {"type": "pong"}
    assert echo["data"]["text"] == "still here!"
    assert list(Message.objects.filter(thread=thread).order_by("id").values_list("text", flat=True)) == [
        "stored before",
        "still here!",
    ]
    assert Message.objects.get(pk=kept.pk).text == "stored before"


def test_a_flood_beyond_the_rate_limit_is_refused_without_closing(
    live_asgi_server, pair, settings, fresh_rate_window
):
    buyer, seller, thread = pair
    limit = fresh_rate_window(settings.CHAT_MESSAGE_RATE)

    async def scenario():
        async with chat_socket(live_asgi_server, thread.pk, buyer) as a:
            for number in range(limit + 5):
                await a.send({"type": "chat.message", "payload": {"text": f"spam {number}"}})
            frames = [await a.receive() for _ in range(limit + 5)]
            await a.send({"type": "ping"})
            return frames, await a.receive_type("pong")

    frames, pong = asyncio.run(scenario())
    delivered = [frame for frame in frames if frame["type"] == "chat.message"]
    refused = [frame for frame in frames if frame["type"] == "error"]
    assert len(delivered) == limit
    assert len(refused) == 5
    assert {frame["code"] for frame in refused} == {"rate_limited"}
    assert pong == {"type": "pong"}
    assert Message.objects.filter(thread=thread).count() == limit


def test_expired_or_missing_token_is_4001_and_other_connections_are_untouched(live_asgi_server, pair):
    buyer, seller, thread = pair
    expired = AccessToken.for_user(buyer)
    expired.set_exp(lifetime=-timedelta(seconds=1))

    async def scenario():
        async with chat_socket(live_asgi_server, thread.pk, seller) as b:
            await b.send({"type": "chat.message", "payload": {"text": "before"}})
            await b.receive_type("chat.message")
            async with chat_socket(live_asgi_server, thread.pk, token=str(expired)) as stale:
                expired_code = await stale.close_code()
            async with chat_socket(live_asgi_server, thread.pk, token="garbage") as bad:
                garbage_code = await bad.close_code()
            await b.send({"type": "chat.message", "payload": {"text": "after"}})
            after = await b.receive_type("chat.message")
        return expired_code, garbage_code, after

    expired_code, garbage_code, after = asyncio.run(scenario())
    assert (expired_code, garbage_code) == (4001, 4001)
    assert after["data"]["text"] == "after"
    assert list(Message.objects.filter(thread=thread).order_by("id").values_list("text", flat=True)) == [
        "before",
        "after",
    ]


def test_a_user_blocked_from_chatting_gets_an_error_frame(live_asgi_server, pair):
    buyer, seller, thread = pair
    ChatBan.objects.create(user=buyer, reason="spam")

    async def scenario():
        async with chat_socket(live_asgi_server, thread.pk, buyer) as a:
            await a.send({"type": "chat.message", "payload": {"text": "let me"}})
            error = await a.receive()
            await a.send({"type": "ping"})
            return error, await a.receive()

    error, pong = asyncio.run(scenario())
    assert error["type"] == "error"
    assert error["code"] == "chat_blocked"
    assert error["message"] == "You have been blocked from chatting by the Designia team."
    assert pong == {"type": "pong"}
    assert not Message.objects.exists()


def test_activity_socket_welcome_counts_and_chat_pushes(live_asgi_server, live_http, pair):
    buyer, seller, thread = pair
    add_message(thread, buyer, "one")
    add_message(thread, buyer, "two")
    add_message(thread, seller, "mine")
    cart = Cart.objects.create(user=seller)
    CartItem.objects.create(cart=cart, product=thread.product, quantity=3)

    async def scenario():
        async with (
            activity_socket(live_asgi_server, seller) as b_activity,
            chat_socket(live_asgi_server, thread.pk, buyer) as a,
            activity_socket(live_asgi_server, buyer) as a_activity,
        ):
            await a.send({"type": "chat.message", "payload": {"text": "ping from anna"}})
            pushed = await b_activity.receive_type("chat.message")
            await b_activity.send({"type": "get_unread_count"})
            unread = await b_activity.receive_type("unread_messages_count_update")
            await b_activity.send({"type": "whatever"})
            unknown = await b_activity.receive_type("error")
            # The sender's own activity socket is not told: after the message's sends, a cart
            # change of the sender's is the first thing that socket hears.
            await a.settled()
            added = await live_http.apost(
                "/api/marketplace/cart/add_item/",
                buyer,
                json={"product_id": thread.product.pk, "quantity": 1},
            )
            assert added.status_code in (200, 201), added.content
            await a_activity.assert_next_is("cart_updated")
            return b_activity.welcome, pushed, unread, unknown

    welcome, pushed, unread, unknown = asyncio.run(scenario())
    assert welcome["user_id"] == str(seller.pk)
    assert welcome["cart_count"] == 3
    assert welcome["unread_messages_count"] == 2
    assert pushed["data"]["thread_id"] == str(thread.pk)
    assert pushed["data"]["sender_username"] == "anna"
    assert pushed["data"]["text"] == "ping from anna"
    assert pushed["data"]["sender_id"] == str(buyer.pk)
    assert unread["unread_messages_count"] == 3
    assert unknown["code"] == "unknown_type"


def test_a_message_sent_over_rest_reaches_the_sockets(live_asgi_server, live_http, pair):
    buyer, seller, thread = pair

    async def scenario():
        async with (
            chat_socket(live_asgi_server, thread.pk, buyer) as a,
            chat_socket(live_asgi_server, thread.pk, seller) as b,
            activity_socket(live_asgi_server, seller) as b_activity,
        ):
            response = await live_http.apost(
                f"/api/chat/conversations/{thread.pk}/messages/", buyer, json={"text": "via REST"}
            )
            frames = [await socket.receive_type("chat.message") for socket in (a, b, b_activity)]
        return response, frames

    response, frames = asyncio.run(scenario())
    assert response.status_code == 201
    body = response.json()
    assert body["text"] == "via REST"
    assert body["sender"] == str(buyer.pk)
    assert body["id"] == str(Message.objects.get().pk)
    for frame in frames:
        assert frame["data"]["id"] == body["id"]
        assert frame["data"]["text"] == "via REST"
