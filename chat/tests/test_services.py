"""Service rules that the API and socket tests do not pin down on their own."""

import pytest
from django.core.files.base import ContentFile

from authentication import gdpr
from authentication.tests.factories import UserFactory
from chat import selectors, services
from chat.exceptions import MessageTooLongError, ThreadNotFoundError
from chat.models import Message, MessageReport, Thread
from chat.ratelimit import parse_rate
from chat.tests.factories import add_message
from chat.text import clean_message_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("plain", "plain"),
        ("  spaced  ", "  spaced  "),
        ("line\nbreak\ttab\r\n", "line\nbreak\ttab\r\n"),
        ("nul\x00bell\x07esc\x1bdel\x7fc1\x85", "nulbellescdelc1"),
        ("lone\ud800surrogate", "lonesurrogate"),
        ("<script>&amp;</script>", "<script>&amp;</script>"),
        ("👩‍👩‍👧 zwj", "👩‍👩‍👧 zwj"),
    ],
)
def test_text_keeps_everything_but_control_characters(raw, cleaned):
    assert clean_message_text(raw) == cleaned


def test_text_length_limit_counts_characters(settings):
    settings.CHAT_MESSAGE_MAX_LENGTH = 5
    assert clean_message_text("ééééé") == "ééééé"
    assert clean_message_text("abcde\x00\x00") == "abcde"
    with pytest.raises(MessageTooLongError):
        clean_message_text("abcdef")


@pytest.mark.parametrize(
    "rate, expected", [("30/min", (30, 60)), ("20/10s", (20, 10)), ("5/hour", (5, 3600))]
)
def test_rate_parsing(rate, expected):
    assert parse_rate(rate) == expected


def test_non_participant_cannot_send_or_mark_read(pair):
    buyer, seller, thread = pair
    stranger = UserFactory()

    with pytest.raises(ThreadNotFoundError):
        services.message_send(thread_id=thread.pk, sender=stranger, text="hi")
    with pytest.raises(ThreadNotFoundError):
        services.thread_mark_read(thread_id=thread.pk, reader=stranger)
    assert not Message.objects.exists()


def test_sending_counts_the_metric_and_moves_the_thread_up(pair):
    from designiaBackend.observability import metrics

    buyer, seller, thread = pair
    counter = metrics.CHAT_MESSAGES.labels(message_type="text", channel="rest")
    before = counter._value.get()
    created = Thread.objects.get(pk=thread.pk).updated_at

    message = services.message_send(thread_id=thread.pk, sender=buyer, text="hi")

    assert counter._value.get() == before + 1
    thread.refresh_from_db()
    assert thread.last_message == message
    assert thread.updated_at >= created


def test_unread_counts_are_per_message(pair):
    buyer, seller, thread = pair
    first = add_message(thread, seller, "1")
    add_message(thread, seller, "2")
    add_message(thread, buyer, "3")
    Message.objects.filter(pk=first.pk).update(read_at=first.created_at)

    assert selectors.unread_messages_count(user=buyer) == 1
    assert selectors.unread_messages_count(user=seller) == 1
    assert selectors.thread_list_for_user(user=buyer).get().unread_count == 1


def test_gdpr_export_and_erasure(pair, django_capture_on_commit_callbacks):
    buyer, seller, thread = pair
    add_message(thread, buyer, "my address is 1 Elm St")
    add_message(thread, seller, "thanks")
    image = add_message(thread, buyer, "", message_type="image")
    image.image.save("photo.png", ContentFile(b"png"), save=True)
    stored_name = image.image.name
    services.message_report_create(
        reporter=buyer,
        message_id=Message.objects.get(text="thanks").pk,
        reason="other",
        description="personal",
    )

    export = gdpr.collect_sections(buyer)["chat"]
    with django_capture_on_commit_callbacks() as after_commit:
        gdpr.run_erasers(buyer)
    assert image.image.storage.exists(stored_name)  # a rolled-back erasure keeps its files
    for callback in after_commit:
        callback()

    assert export[0]["thread_id"] == str(thread.pk)
    assert [m["text"] for m in export[0]["messages"]] == ["my address is 1 Elm St", "thanks", ""]
    assert [m["mine"] for m in export[0]["messages"]] == [True, False, True]
    assert list(Message.objects.filter(sender=buyer).values_list("text", flat=True)) == ["", ""]
    assert not Message.objects.get(pk=image.pk).image
    assert not image.image.storage.exists(stored_name)
    assert Message.objects.get(sender=seller).text == "thanks"
    assert MessageReport.objects.get().description == ""


@pytest.mark.django_db(transaction=True)
def test_concurrent_opens_of_the_same_conversation_make_one_thread():
    import threading

    from django.db import connection

    buyer, seller = UserFactory(), UserFactory()
    barrier = threading.Barrier(4)
    results = []

    def open_thread(user, other):
        try:
            barrier.wait()
            results.append(services.thread_get_or_create(user=user, other_user_id=other.pk))
        finally:
            connection.close()

    workers = [threading.Thread(target=open_thread, args=(buyer, seller)) for _ in range(2)]
    workers += [threading.Thread(target=open_thread, args=(seller, buyer)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert Thread.objects.count() == 1
    assert {thread.pk for thread, _ in results} == {Thread.objects.get().pk}
    assert sorted(created for _, created in results) == [False, False, False, True]


def test_sockets_are_counted_while_open(pair):
    from asgiref.sync import async_to_sync
    from channels.testing import WebsocketCommunicator

    from chat.consumers import ActivityConsumer
    from designiaBackend.observability import metrics

    buyer, seller, thread = pair
    gauge = metrics.OPEN_SOCKETS.labels(consumer="activity")
    before = gauge._value.get()

    async def converse():
        communicator = WebsocketCommunicator(ActivityConsumer.as_asgi(), "/ws/activity/")
        communicator.scope["user"] = buyer
        connected, _ = await communicator.connect()
        welcome = await communicator.receive_json_from()
        during = gauge._value.get()
        await communicator.disconnect()
        return connected, welcome, during

    connected, welcome, during = async_to_sync(converse)()

    assert connected
    assert welcome["type"] == "connection_success"
    assert during == before + 1
    assert gauge._value.get() == before
