"""Messages of many sockets stored together (chat/socket_writer.py's group commit), against a real
daphne server, the Redis channel layer and the database: every message stored once, in each
thread in the order its socket sent them, each thread's last message the newest, and every
message announced to the other participant after it was stored."""

import asyncio

import pytest

from authentication.tests.factories import SellerFactory, UserFactory
from chat.models import Message, Thread
from chat.tests.factories import ProductFactory, thread_between
from chat.tests.sockets import chat_socket

pytestmark = pytest.mark.live_server_process

PAIRS = 6
MESSAGES = 8


def test_messages_of_many_sockets_sent_at_once_are_stored_in_order_and_delivered(live_asgi_server):
    threads = []
    for _ in range(PAIRS):
        buyer, seller = UserFactory(), SellerFactory()
        thread = thread_between(buyer, seller, product=ProductFactory(seller=seller))
        threads.append((thread, buyer, seller))
    before = {thread.pk: thread.updated_at for thread, _, _ in threads}

    async def one_pair(thread, buyer, seller):
        async with (
            chat_socket(live_asgi_server, thread.pk, buyer) as sender,
            chat_socket(live_asgi_server, thread.pk, seller) as receiver,
        ):
            # Every frame at once: the server batches what it has read when its writer is free.
            for number in range(MESSAGES):
                await sender.send({"type": "chat.message", "payload": {"text": f"{thread.pk}-{number}"}})
            return [(await receiver.receive_type("chat.message"))["data"] for _ in range(MESSAGES)]

    async def scenario():
        return await asyncio.gather(*(one_pair(*each) for each in threads))

    received = asyncio.run(scenario())
    for (thread, buyer, _), frames in zip(threads, received, strict=True):
        stored = list(Message.objects.filter(thread=thread).order_by("id"))
        expected = [f"{thread.pk}-{number}" for number in range(MESSAGES)]
        assert [m.text for m in stored] == expected
        assert {m.sender_id for m in stored} == {buyer.pk}
        # Announced in stored order, with the stored ids.
        assert [frame["text"] for frame in frames] == expected
        assert [frame["id"] for frame in frames] == [str(m.pk) for m in stored]
        refreshed = Thread.objects.get(pk=thread.pk)
        assert refreshed.last_message_id == stored[-1].pk
        assert refreshed.updated_at == stored[-1].created_at
        assert refreshed.updated_at > before[thread.pk]
