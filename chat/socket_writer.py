"""Group commit for the chat sockets of one server process.

A ``chat.message`` frame is not stored by its socket: it is queued here, and one writer task per
event loop stores everything queued since its last batch with ``services.messages_send_batch``
(one hop to a worker thread, one transaction), then announces the stored messages, in their
stored order, with one pipelined round trip to Redis, and only then answers the sockets. Under
load the batches grow, so the thread hop, the transaction, the commit and the Redis round trips
are paid once per batch instead of once per message.

What stays true: a socket sends its next frame's message only after the previous one is
answered (a consumer handles one frame at a time), the writer runs one batch at a time, and a
batch keeps arrival order, so messages of a thread keep the order the server read them in; a
message is announced only after its transaction has committed.
"""

import asyncio
import logging
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.db import close_old_connections

from chat import events, lock_objects, services
from chat.models import Message
from designiaBackend.errors import ApplicationError

logger = logging.getLogger(__name__)

# A channel layer that does not answer in this time counts as down (the messages stay stored).
ANNOUNCE_TIMEOUT_SECONDS = 3
# Frames of more sockets than this wait for the next batch (a bound on one INSERT's size).
MAX_BATCH = 500

# One thread, so one database connection per process, serves every batch (they run one at a time).
_writer_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-writer")


def _store_batch_in_thread(sends):
    """Store a batch under its threads' order locks, which stay held (by this thread's connection)
    until ``_release_in_thread`` once the batch is announced: a thread's messages then reach every
    socket in stored order even when several server processes (and REST) write to it."""
    # What channels' database_sync_to_async does around a call, without its per-call wrapping.
    close_old_connections()
    taken = lock_objects.thread_order_locks_take([send.thread_id for send in sends])
    try:
        return services.messages_send_batch(sends), taken
    except BaseException:
        _release_in_thread(taken)
        raise


def _release_in_thread(taken):
    try:
        lock_objects.thread_order_locks_release(taken)
    finally:
        close_old_connections()


async def _in_writer_thread(function, *args):
    return await asyncio.get_running_loop().run_in_executor(_writer_thread, function, *args)


@dataclass(frozen=True)
class Outcome:
    """What became of one frame: its stored message or the error it was refused with, and
    whether the stored message reached the channel layer."""

    result: Message | ApplicationError
    announced: bool = True


class MessageWriter:
    def __init__(self) -> None:
        self.pending: list[tuple[services.SocketSend, asyncio.Future]] = []
        self.wakeup = asyncio.Event()
        self.task: asyncio.Task | None = None

    async def send(self, send: services.SocketSend) -> Outcome:
        """Queue one frame's message; returns once it is stored and announced (or refused).

        Raises ``DatabaseError`` when its batch could not be stored."""
        future = asyncio.get_running_loop().create_future()
        self.pending.append((send, future))
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())
        self.wakeup.set()
        # Shielded: a socket closing while its message is written does not cancel the batch.
        return await asyncio.shield(future)

    async def _run(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.pending:
                batch, self.pending = self.pending[:MAX_BATCH], self.pending[MAX_BATCH:]
                await self._write(batch)

    async def _write(self, batch: list[tuple[services.SocketSend, asyncio.Future]]) -> None:
        sends = [send for send, _ in batch]
        try:
            results, taken = await _in_writer_thread(_store_batch_in_thread, sends)
        # Whatever failed, every waiting socket is told (a DatabaseError: "unavailable").
        except Exception as error:  # noqa: BLE001
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        try:
            announced = await self._announce(sends, results)
        finally:
            await _in_writer_thread(_release_in_thread, taken)
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(Outcome(result, announced))

    @staticmethod
    async def _announce(sends, results) -> bool:
        stored = [
            (result, send.access.recipients_of(send.sender.pk))
            for send, result in zip(sends, results, strict=True)
            if isinstance(result, Message)
        ]
        if not stored:
            return True
        try:
            await asyncio.wait_for(events.messages_announce(stored), timeout=ANNOUNCE_TIMEOUT_SECONDS)
        except Exception:  # stored all the same: the clients see them on their next fetch
            logger.exception("Chat messages %s stored but not announced", [m.pk for m, _ in stored])
            return False
        return True


_writers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, MessageWriter]" = weakref.WeakKeyDictionary()


def writer() -> MessageWriter:
    """The writer of the running event loop (one per server process)."""
    loop = asyncio.get_running_loop()
    found = _writers.get(loop)
    if found is None:
        found = _writers[loop] = MessageWriter()
    return found
