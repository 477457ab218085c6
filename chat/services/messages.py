from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chat import events, lock_objects, ratelimit, selectors
from chat.exceptions import ChatBlockedError, MessageRateLimitedError, ThreadNotFoundError
from chat.models import Message, Thread
from chat.text import clean_message_text
from designiaBackend.errors import ApplicationError
from designiaBackend.observability import metrics
from infrastructure.images import image_content_file, validate_image

RATE_SCOPE = "chat_message"
MESSAGES_STORED = {
    (kind, channel): metrics.CHAT_MESSAGES.labels(message_type=kind, channel=channel)
    for kind in Message.Type.values
    for channel in ("rest", "websocket")
}


def _validated_image(image):
    info = validate_image(image, max_bytes=settings.CHAT_IMAGE_MAX_BYTES)
    image.seek(0)
    return image_content_file(image.read(), info, stem="chat")


def _access_checked(*, thread_id, sender, access):
    if access is None:
        access = selectors.thread_access_get(thread_id=thread_id, user_id=sender.pk)
    if access is None:
        raise ThreadNotFoundError()
    if access.sender_banned:
        raise ChatBlockedError()
    return access


def _rate_limited(wait):
    seconds = max(0.1, round(wait, 1))
    return MessageRateLimitedError(
        f"You are sending messages too fast. Try again in {seconds:g} s.", extra={"retry_after": seconds}
    )


def _rate_checked(sender):
    wait = ratelimit.take(RATE_SCOPE, sender.pk, settings.CHAT_MESSAGE_RATE)
    if wait:
        raise _rate_limited(wait)


def message_send(*, thread_id, sender, text=None, image=None, channel="rest", access=None):
    """Store a message from ``sender`` in their thread, then (after commit) broadcast it to the
    thread's sockets and to the other participants' activity sockets (REST; sockets send through
    the batch form, ``messages_send_batch``, of ``chat.socket_writer``).

    The store, the commit and the broadcast happen under the thread's order lock
    (``lock_objects.thread_messages_in_order``, which the socket writer takes too): concurrent
    senders, in any server process, reach every socket in the order their messages are stored.

    ``access`` (``selectors.ThreadAccess``): what the caller already knows of the thread and the
    sender, saving the reads. ``channel`` labels the metric. Refused with ``rate_limited`` (and
    ``retry_after`` seconds) beyond ``CHAT_MESSAGE_RATE``.
    """
    access = _access_checked(thread_id=thread_id, sender=sender, access=access)
    text = clean_message_text(text, allow_empty=image is not None)
    content = _validated_image(image) if image is not None else None
    _rate_checked(sender)
    with lock_objects.thread_messages_in_order(thread_id):
        message = _message_store(
            thread_id=thread_id,
            sender=sender,
            text=text,
            image=content,
            recipient_ids=access.recipients_of(sender.pk),
        )
    MESSAGES_STORED[message.message_type, channel].inc()
    return message


@transaction.atomic
def _message_store(*, thread_id, sender, text, image, recipient_ids):
    """One transaction of two statements: the message, and the thread's last message."""
    message = Message.objects.create(
        thread_id=thread_id,
        sender=sender,
        text=text,
        image=image,
        message_type=Message.Type.IMAGE if image is not None else Message.Type.TEXT,
    )
    # Concurrent senders: the row lock orders the updates, the id test keeps the newest message.
    Thread.objects.filter(
        Q(last_message__isnull=True) | Q(last_message_id__lt=message.pk), pk=thread_id
    ).update(last_message=message, updated_at=message.created_at)
    if recipient_ids is not None:
        events.message_created(message=message, recipient_ids=recipient_ids)
    return message


@dataclass(frozen=True)
class SocketSend:
    """One ``chat.message`` frame of a chat socket: what the socket knows of its thread."""

    thread_id: int
    sender: Any
    text: Any
    access: "selectors.ThreadAccess"


def messages_send_batch(sends: list[SocketSend]) -> list[Message | ApplicationError]:
    """Store the text messages of many sockets at once (group commit); the result for each send,
    in order: its stored message, or the error it is refused with (as ``message_send`` would).

    The same checks as ``message_send`` (ban, text, then the rate limit: one Redis round trip for
    the batch), then one transaction: the threads locked in pk order, one INSERT of every
    accepted message in arrival order (so each thread's ids follow the order its frames were
    read) and one UPDATE of the threads' last message. Nothing is announced: the caller does,
    after this returns, i.e. after the commit."""
    results: list[Message | ApplicationError | None] = [None] * len(sends)
    checked = []
    for index, send in enumerate(sends):
        try:
            _access_checked(thread_id=send.thread_id, sender=send.sender, access=send.access)
            checked.append((index, send, clean_message_text(send.text)))
        except ApplicationError as error:
            results[index] = error
    waits = ratelimit.take_many(
        RATE_SCOPE, [send.sender.pk for _, send, _ in checked], settings.CHAT_MESSAGE_RATE
    )
    accepted = []
    for (index, send, text), wait in zip(checked, waits, strict=True):
        if wait:
            results[index] = _rate_limited(wait)
        else:
            accepted.append((index, Message(thread_id=send.thread_id, sender=send.sender, text=text)))
    if accepted:
        stored = _messages_store_many([message for _, message in accepted])
        for (index, _), message in zip(accepted, stored, strict=True):
            results[index] = message if message is not None else ThreadNotFoundError()
        MESSAGES_STORED[Message.Type.TEXT, "websocket"].inc(sum(message is not None for message in stored))
    return results  # type: ignore[return-value]


@transaction.atomic
def _messages_store_many(messages: list[Message]) -> list[Message | None]:
    """The messages stored, in order; None for one whose thread no longer exists."""
    last_ids = lock_objects.threads_for_update({message.thread_id for message in messages})
    stored = _messages_insert([message for message in messages if message.thread_id in last_ids])
    newest: dict[int, Message] = {}
    for message in stored:
        newest[message.thread_id] = message  # ids grow along the list
    # Under the lock: keep the newest message when a REST send committed a later one meanwhile.
    newer = [m for t, m in newest.items() if t in last_ids and (last_ids[t] is None or last_ids[t] < m.pk)]
    if newer:
        _threads_last_message_set(newer)
    return [message if message.thread_id in last_ids else None for message in messages]


def _messages_insert(messages: list[Message]) -> list[Message]:
    """One multi-row INSERT ... RETURNING id (MariaDB >= 10.5: the ids in the order given), in
    plain SQL: assembling a bulk_create of a few dozen rows cost more CPU than running it. The
    messages share one ``created_at`` (ids order them within it, as in the history's ordering)."""
    if not messages:
        return messages
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    meta = Message._meta
    columns = [
        meta.get_field("thread").column,
        meta.get_field("sender").column,
        meta.get_field("message_type").column,
        meta.get_field("text").column,
        meta.get_field("image").column,
        meta.get_field("created_at").column,
    ]
    now = timezone.now()
    created_at = meta.get_field("created_at").get_db_prep_value(now, connection)
    sender_field = meta.get_field("sender")
    params: list[object] = []
    for message in messages:
        message.created_at = now
        sender_id = sender_field.get_db_prep_value(message.sender_id, connection)
        params += [message.thread_id, sender_id, message.message_type, message.text, "", created_at]
    row = f"({', '.join(['%s'] * len(columns))})"
    # Quoted model names and placeholders only; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(column) for column in columns)}) "  # noqa: S608
        f"VALUES {', '.join([row] * len(messages))} RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    for message, pk in zip(messages, ids, strict=True):
        message.pk = pk
        message._state.adding = False
        message._state.db = connection.alias
    return messages


def _threads_last_message_set(messages: list[Message]) -> None:
    """One UPDATE of many threads' last message (each message's thread), in plain SQL: the ORM
    spends more time building a CASE of a few dozen branches than the database running it."""
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    table, pk = quote(Thread._meta.db_table), quote(Thread._meta.pk.column)
    last = quote(Thread._meta.get_field("last_message").column)
    updated = quote(Thread._meta.get_field("updated_at").column)
    updated_field = Thread._meta.get_field("updated_at")
    branches = " ".join(["WHEN %s THEN %s"] * len(messages))
    # Quoted model names and placeholders only; every value is a parameter.
    sql = (
        f"UPDATE {table} SET {last} = CASE {pk} {branches} END, "  # noqa: S608
        f"{updated} = CASE {pk} {branches} END WHERE {pk} IN ({', '.join(['%s'] * len(messages))})"
    )
    params: list[object] = []
    for message in messages:
        params += [message.thread_id, message.pk]
    for message in messages:
        params += [message.thread_id, updated_field.get_db_prep_value(message.created_at, connection)]
    params += [message.thread_id for message in messages]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@transaction.atomic
def thread_mark_read(*, thread_id, reader):
    """Mark the other participants' unread messages as read by ``reader``; returns how many.

    Announces ``chat.read`` to the thread and the reader's new unread total after commit.
    """
    if not selectors.thread_is_participant(thread_id=thread_id, user_id=reader.pk):
        raise ThreadNotFoundError()
    now = timezone.now()
    marked = (
        Message.objects.filter(thread_id=thread_id, read_at__isnull=True)
        .exclude(sender=reader)
        .update(read_at=now)
    )
    if marked:
        events.messages_read(
            thread_id=thread_id,
            reader_id=reader.pk,
            marked_read=marked,
            unread_messages_count=selectors.unread_messages_count(user=reader),
            read_at=now,
        )
    return marked
