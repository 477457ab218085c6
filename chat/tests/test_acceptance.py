"""Contract §10 scenarios F18–F20, through the real URLs of a running daphne server and real sockets."""

import asyncio
import re

import pytest

from authentication.tests.factories import SellerFactory, UserFactory
from chat.models import Message, MessageReport
from chat.tests.factories import ProductFactory
from chat.tests.sockets import activity_socket, chat_socket

pytestmark = pytest.mark.live_server_process

CONVERSATIONS = "/api/chat/conversations/"


def test_F18_buyer_contacts_the_seller(live_asgi_server, live_http):
    buyer, seller = UserFactory(username="anna"), SellerFactory(username="bruno")
    product = ProductFactory(seller=seller, name="Rocking chair")

    opened = live_http.post(CONVERSATIONS, buyer, json={"product_id": product.pk})
    assert opened.status_code == 201
    thread_id = opened.json()["thread_id"]
    assert opened.json()["is_new"] is True

    inbox = live_http.get(CONVERSATIONS, buyer)
    assert inbox.status_code == 200
    assert isinstance(inbox.json(), list)
    assert [item["id"] for item in inbox.json()] == [thread_id]
    assert inbox.json()[0]["last_message"] is None

    detail = live_http.get(f"{CONVERSATIONS}{thread_id}/", buyer).json()
    assert sorted((p["id"], p["username"]) for p in detail["participants"]) == sorted(
        [(str(buyer.pk), "anna"), (str(seller.pk), "bruno")]
    )
    assert all("avatar" in p for p in detail["participants"])
    assert detail["product"]["name"] == "Rocking chair"

    history = live_http.get(f"{CONVERSATIONS}{thread_id}/messages/?page=1", buyer)
    assert history.status_code == 200
    assert history.json() == {"count": 0, "next": None, "previous": None, "results": []}

    async def open_socket():
        async with chat_socket(live_asgi_server, thread_id, buyer) as socket:
            await socket.send({"type": "ping"})
            return await socket.receive()

    assert asyncio.run(open_socket()) == {"type": "pong"}

    again = live_http.post(CONVERSATIONS, buyer, json={"product_id": product.pk})
    assert again.status_code == 200
    assert again.json()["thread_id"] == thread_id

    own = live_http.post(CONVERSATIONS, seller, json={"product_id": product.pk})
    assert own.status_code == 400
    assert own.json()["detail"] == "You cannot start a conversation with yourself."


def test_F19_live_chat_between_two_browsers(live_asgi_server, live_http, pair):
    a_user, b_user, thread = pair
    for number in range(21):  # older history, so that step 4 has a second page
        Message.objects.create(thread=thread, sender=a_user, text=f"old {number}", read_at=thread.created_at)

    async def scenario():
        async with (
            chat_socket(live_asgi_server, thread.pk, a_user) as a,
            chat_socket(live_asgi_server, thread.pk, b_user) as b,
            activity_socket(live_asgi_server, b_user) as b_activity,
        ):
            # 1. A sends "hi": both thread sockets and B's activity socket get chat.message.
            await a.send({"type": "chat.message", "payload": {"text": "hi"}})
            on_a, on_b = await a.receive_type("chat.message"), await b.receive_type("chat.message")
            pushed = await b_activity.receive_type("chat.message")
            for frame in (on_a, on_b):
                assert set(frame["data"]) >= {
                    "id",
                    "thread_id",
                    "sender_id",
                    "sender_username",
                    "text",
                    "image_url",
                    "created_at",
                }
                assert frame["data"]["text"] == "hi"
                assert frame["data"]["sender_id"] == str(a_user.pk)
                assert frame["data"]["thread_id"] == str(thread.pk)
                assert isinstance(frame["data"]["id"], str)
            assert pushed["data"] == on_b["data"]

            # 2. B types: A sees it, B does not.
            await b.send({"type": "chat.typing"})
            assert await a.receive() == {
                "type": "chat.typing",
                "username": "bruno",
                "user_id": str(b_user.pk),
            }
            await a.send({"type": "chat.typing"})  # marker: B's next frame is A's typing, not its own
            assert (await b.assert_next_is("chat.typing"))["user_id"] == str(a_user.pk)

            # 3. B marks the thread read: A gets chat.read with B's id, B's activity the new count.
            newest = (await live_http.aget(f"{CONVERSATIONS}{thread.pk}/messages/?page=1", b_user)).json()
            assert newest["results"][0]["is_read"] is False
            read = await live_http.apost(f"{CONVERSATIONS}{thread.pk}/mark_read/", b_user)
            assert read.status_code == 200
            assert read.json() == {"marked_read": 1}
            receipt = await a.receive_type("chat.read")
            assert receipt["data"]["reader_id"] == str(b_user.pk)
            update = await b_activity.receive_type("unread_messages_count_update")
            assert update["unread_messages_count"] == 0
            return on_a["data"]["id"]

    message_id = asyncio.run(scenario())

    # 4. A reload: stored messages newest first, older pages through `next`.
    first = live_http.get(f"{CONVERSATIONS}{thread.pk}/messages/?page=1", a_user).json()
    assert first["count"] == 22
    assert first["results"][0]["id"] == message_id == str(Message.objects.get(text="hi").pk)
    assert first["results"][0]["text"] == "hi"
    assert first["results"][0]["is_read"] is True
    assert len(first["results"]) == 20
    assert re.search(r"page=(\d+)", first["next"]).group(1) == "2"
    second = live_http.get(f"{CONVERSATIONS}{thread.pk}/messages/?page=2", a_user).json()
    assert [m["text"] for m in second["results"]] == ["old 1", "old 0"]
    assert second["next"] is None
    inbox_b = live_http.get(CONVERSATIONS, b_user).json()
    assert inbox_b[0]["last_message"]["text"] == "hi"
    assert inbox_b[0]["unread_count"] == 0


def test_F20_report_a_chat_message(live_asgi_server, live_http, pair):
    buyer, seller, thread = pair

    async def receive_message():
        async with chat_socket(live_asgi_server, thread.pk, buyer) as socket:
            async with chat_socket(live_asgi_server, thread.pk, seller) as other:
                await other.send({"type": "chat.message", "payload": {"text": "send money to my bank"}})
                await other.receive_type("chat.message")
            return (await socket.receive_type("chat.message"))["data"]["id"]

    message_id = asyncio.run(receive_message())

    response = live_http.post(
        "/api/chat/reports/", buyer, json={"message": message_id, "reason": "spam", "description": "scam"}
    )

    assert response.status_code == 201
    report = MessageReport.objects.get()
    assert isinstance(message_id, str)
    assert response.json()["message"] == message_id
    assert (str(report.message_id), report.reporter, report.reason, report.status) == (
        message_id,
        buyer,
        "spam",
        "open",
    )
