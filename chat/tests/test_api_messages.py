"""E59 history, E60 mark read and sending over REST (text and images)."""

import asyncio
import io
import re
import threading

import pytest
from channels.layers import get_channel_layer
from PIL import Image

from authentication.tests.factories import UserFactory
from chat.events import thread_group
from chat.models import ChatBan, Message, Thread
from chat.tests.factories import MessageFactory, add_message
from designiaBackend.api.realtime import user_group

pytestmark = pytest.mark.django_db


def url(thread, action="messages"):
    return f"/api/chat/conversations/{thread.pk}/{action}/"


class Listener:
    """A channel subscribed to some groups of the real channel layer (Redis in tests).

    Its coroutines run on one event loop of its own, in a thread: the pub/sub layer's
    subscriptions belong to the loop that made them."""

    def __init__(self, *groups):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.layer = get_channel_layer()
        self.channel = self._run(self.layer.new_channel())
        self.groups = groups
        for group in groups:
            self._run(self.layer.group_add(group, self.channel))

    def _run(self, coroutine, timeout=10):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def receive(self, timeout=5):
        """The next event, or None when none came within ``timeout`` seconds."""

        async def with_timeout():
            try:
                return await asyncio.wait_for(self.layer.receive(self.channel), timeout=timeout)
            except TimeoutError:
                return None

        return self._run(with_timeout(), timeout=timeout + 5)

    def assert_no_event(self):
        """Prove "no event" by a marker, not by a silence: a marker sent to the listener's first
        group now must be the next event (anything the request sent came before it)."""
        self._run(self.layer.group_send(self.groups[0], {"type": "test.marker"}))
        event = self.receive()
        assert event == {"type": "test.marker"}, f"Expected no event before the marker, got {event}"

    def close(self):
        for group in self.groups:
            self._run(self.layer.group_discard(group, self.channel))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


@pytest.fixture
def listen():
    listeners = []

    def make(*groups):
        listener = Listener(*groups)
        listeners.append(listener)
        return listener

    yield make
    for listener in listeners:
        listener.close()


def png_bytes(size=(8, 8)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 100, 50)).save(out, format="PNG")
    return out.getvalue()


def test_history_is_newest_first_twenty_per_page_with_page_links(auth_client, pair):
    buyer, seller, thread = pair
    for number in range(25):
        MessageFactory(thread=thread, sender=buyer if number % 2 else seller, text=f"m{number}")
    client = auth_client(buyer)

    first = client.get(url(thread), {"page": 1}).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 25
    assert [m["text"] for m in first["results"]] == [f"m{n}" for n in range(24, 4, -1)]
    assert re.search(r"page=(\d+)", first["next"]).group(1) == "2"
    assert first["previous"] is None
    assert [m["text"] for m in second["results"]] == [f"m{n}" for n in range(4, -1, -1)]
    assert second["next"] is None
    newest = first["results"][0]
    assert newest == {
        "id": str(Message.objects.get(text="m24").pk),
        "thread": str(thread.pk),
        "sender": str(seller.pk),
        "sender_username": "bruno",
        "message_type": "text",
        "text": "m24",
        "image_url": None,
        "created_at": newest["created_at"],
        "is_read": False,
    }


def test_history_query_count_is_flat(auth_client, pair, django_assert_max_num_queries):
    buyer, seller, thread = pair
    for number in range(20):
        MessageFactory(thread=thread, sender=seller, text=str(number))
    client = auth_client(buyer)

    # user, thread (+participants prefetch), count, page
    with django_assert_max_num_queries(5):
        assert len(client.get(url(thread)).json()["results"]) == 20


def test_history_and_mark_read_are_for_participants_only(auth_client, pair):
    buyer, seller, thread = pair
    unread = add_message(thread, seller, "secret")
    stranger = auth_client(UserFactory())

    assert stranger.get(url(thread)).status_code == 404
    response = stranger.post(url(thread, "mark_read"))
    assert response.status_code == 404
    assert response.json()["code"] == "thread_not_found"
    assert stranger.post(url(thread), {"text": "intrusion"}).status_code == 404
    assert Message.objects.get(pk=unread.pk).read_at is None
    assert Message.objects.count() == 1


def test_mark_read_marks_only_the_other_sides_messages_and_broadcasts(auth_client, pair, listen):
    buyer, seller, thread = pair
    mine = add_message(thread, buyer, "mine")
    theirs = [add_message(thread, seller, "a"), add_message(thread, seller, "b")]
    listener = listen(thread_group(thread.pk), user_group(buyer.pk))

    response = auth_client(buyer).post(url(thread, "mark_read"))
    again = auth_client(buyer).post(url(thread, "mark_read"))

    assert response.status_code == 200
    assert response.json() == {"marked_read": 2}
    assert again.json() == {"marked_read": 0}
    assert all(Message.objects.get(pk=m.pk).read_at for m in theirs)
    assert Message.objects.get(pk=mine.pk).read_at is None
    events = [listener.receive(), listener.receive()]
    read = next(e for e in events if e["type"] == "chat.read")
    pushed = next(e for e in events if e["type"] == "user.event")
    assert read["data"]["reader_id"] == str(buyer.pk)
    assert read["data"]["thread_id"] == str(thread.pk)
    assert read["data"]["marked_read"] == 2
    assert pushed["event"] == {
        "type": "unread_messages_count_update",
        "unread_messages_count": 0,
        "thread_id": str(thread.pk),
    }
    inbox = auth_client(buyer).get("/api/chat/conversations/").json()
    assert inbox[0]["unread_count"] == 0
    assert auth_client(seller).get(url(thread)).json()["results"][-1]["is_read"] is False


def test_rest_message_is_stored_unchanged_and_broadcast(auth_client, pair, listen):
    from designiaBackend.observability import metrics

    buyer, seller, thread = pair
    to_thread, to_seller, to_buyer = (
        listen(thread_group(thread.pk)),
        listen(user_group(seller.pk)),
        listen(user_group(buyer.pk)),
    )
    text = "  <b>Hello</b> & 'bye'\n\tsecond line\x00\x1b "
    counter = metrics.CHAT_MESSAGES.labels(message_type="text", channel="rest")
    before = counter._value.get()

    response = auth_client(buyer).post(url(thread), {"text": text})

    assert response.status_code == 201
    assert counter._value.get() == before + 1
    stored = Message.objects.get()
    assert stored.text == "  <b>Hello</b> & 'bye'\n\tsecond line "
    assert response.json()["text"] == stored.text
    assert response.json()["sender"] == str(buyer.pk)
    assert Thread.objects.get(pk=thread.pk).last_message == stored
    assert response.json()["id"] == str(stored.pk)
    assert response.json()["thread"] == str(thread.pk)
    # One event for the thread's sockets and the recipient's activity sockets, not the sender's.
    event = to_thread.receive()
    assert event["type"] == "chat.message"
    assert event["data"]["id"] == str(stored.pk)
    assert event["data"]["thread_id"] == str(thread.pk)
    assert event["data"]["text"] == stored.text
    assert to_seller.receive() == event
    to_buyer.assert_no_event()


def test_rest_image_message(auth_client, pair, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buyer, seller, thread = pair
    upload = SimpleUploadedFile("photo.gif", png_bytes(), content_type="image/gif")

    response = auth_client(buyer).post(url(thread), {"image": upload}, format="multipart")

    assert response.status_code == 201
    body = response.json()
    assert body["message_type"] == "image"
    assert body["text"] == ""
    assert body["image_url"].startswith(f"{settings.PUBLIC_BASE_URL}/media/chat/")
    assert body["image_url"].endswith(".png")
    stored = Message.objects.get()
    assert stored.image.read() == png_bytes()


def test_rest_image_message_on_s3(auth_client, pair, s3_storage):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buyer, seller, thread = pair
    upload = SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")

    response = auth_client(buyer).post(url(thread), {"image": upload, "text": "look"}, format="multipart")

    assert response.status_code == 201
    key = "media/" + Message.objects.get().image.name
    assert s3_storage.get_object(Bucket=s3_storage.bucket, Key=key)["Body"].read() == png_bytes()
    assert response.json()["image_url"].startswith("http://127.0.0.1:")


@pytest.mark.parametrize(
    "data, code",
    [
        ({"text": ""}, "invalid_message"),
        ({"text": " \n "}, "invalid_message"),
        ({}, "invalid_message"),
        ({"text": "x" * 5001}, "message_too_long"),
    ],
)
def test_rest_message_refusals(auth_client, pair, data, code):
    buyer, seller, thread = pair

    response = auth_client(buyer).post(url(thread), data)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Message.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(auth_client, pair):
    from django.core.files.uploadedfile import SimpleUploadedFile

    buyer, seller, thread = pair
    fake = SimpleUploadedFile("evil.png", b"<?php echo 1; ?>", content_type="image/png")

    response = auth_client(buyer).post(url(thread), {"image": fake}, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_image"
    assert not Message.objects.exists()


def test_blocked_user_gets_403_over_rest(auth_client, pair):
    buyer, seller, thread = pair
    ChatBan.objects.create(user=buyer)

    response = auth_client(buyer).post(url(thread), {"text": "hi"})

    assert response.status_code == 403
    assert response.json() == {
        "detail": "You have been blocked from chatting by the Designia team.",
        "error": "You have been blocked from chatting by the Designia team.",
        "code": "chat_blocked",
    }
    assert not Message.objects.exists()


def test_rest_messages_share_the_rate_limit(auth_client, pair, settings, fresh_rate_window):
    buyer, seller, thread = pair
    settings.CHAT_MESSAGE_RATE = "3/min"
    fresh_rate_window("3/min")
    client = auth_client(buyer)

    statuses = [client.post(url(thread), {"text": f"n{n}"}).status_code for n in range(4)]

    assert statuses[:3] == [201, 201, 201]
    assert statuses[3] == 429
    assert Message.objects.count() == 3


def test_lone_surrogates_and_controls_in_json_are_dropped(auth_client, pair):
    buyer, seller, thread = pair
    client = auth_client(buyer)

    response = client.post(url(thread), '{"text": "a\\ud800b"}', content_type="application/json")
    message = Message.objects.get()
    reported = add_message(thread, seller, "s")
    report = client.post(
        "/api/chat/reports/",
        '{"message": ' + str(reported.pk) + ', "reason": "other", "description": "x\\u0007y"}',
        content_type="application/json",
    )

    assert response.status_code == 201
    assert message.text == "ab"
    assert report.status_code == 201
    assert report.json()["description"] == "xy"
