"""Locks of the chat app, in one place. The row-lock helpers must run inside ``transaction.atomic``."""

import logging
import threading
from contextlib import contextmanager

from django.db import connection

from chat.models import MessageReport, Thread

logger = logging.getLogger(__name__)


def message_report_for_update(report_id):
    """Lock one report, with its message's sender read (``MessageReport.DoesNotExist`` without one)."""
    return MessageReport.objects.select_for_update().select_related("message__sender").get(pk=report_id)


def threads_for_update(thread_ids):
    """Lock the threads, in pk order (a batch of messages updates their last message); returns
    {thread id: its last message's id or None}."""
    return dict(
        Thread.objects.select_for_update()
        .filter(pk__in=thread_ids)
        .order_by("pk")
        .values_list("pk", "last_message_id")
    )


# --- the order of a thread's messages ---------------------------------------------------------------

ORDER_LOCK_SECONDS = 5
_local_order_locks = [threading.Lock() for _ in range(64)]


def _lock_name(thread_id) -> str:
    return f"{connection.settings_dict['NAME']}:chat.thread.{thread_id}"[-64:]


def thread_order_locks_take(thread_ids) -> list:
    """Take the order locks of the threads (sorted, so two takers never wait on each other) and
    return what to give to ``thread_order_locks_release``, from the same thread and connection.

    Held while a thread's messages are stored, committed and announced (outside any transaction),
    so they reach every socket in the order they are stored, whichever server process stores them.
    A row lock ends at the commit, before the announce: this is the database's named lock
    (``GET_LOCK``, held by the connection across commits, so across processes), or an in-process
    lock where the database has none (SQLite, ``make run``). After ``ORDER_LOCK_SECONDS`` of
    waiting the messages go on unordered (logged) rather than failing."""
    ids = sorted(set(thread_ids))
    if connection.vendor != "mysql":
        locks = [
            _local_order_locks[index] for index in sorted({hash(i) % len(_local_order_locks) for i in ids})
        ]
        for lock in locks:
            lock.acquire()
        return locks
    names = [_lock_name(thread_id) for thread_id in ids]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(["GET_LOCK(%s, %s)"] * len(names)),
            [value for name in names for value in (name, ORDER_LOCK_SECONDS)],
        )
        taken = cursor.fetchone()
    if not all(taken):
        logger.warning("Threads %s: order lock not taken in %s s", ids, ORDER_LOCK_SECONDS)
    return [name for name, ok in zip(names, taken, strict=True) if ok]


def thread_order_locks_release(taken: list) -> None:
    if connection.vendor != "mysql":
        for lock in reversed(taken):
            lock.release()
        return
    if taken:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(["RELEASE_LOCK(%s)"] * len(taken)), taken)


@contextmanager
def thread_messages_in_order(thread_id):
    """The order lock of one thread (``thread_order_locks_take``) around a block."""
    taken = thread_order_locks_take([thread_id])
    try:
        yield
    finally:
        thread_order_locks_release(taken)
