"""A write buffer for product activity counters.

With Redis as the cache, each event is one ``HINCRBY`` on a hash shared by every process;
``drain`` atomically renames the hash away and returns its counts for one batched database write
(the Celery beat task ``activity_flush_task``, every minute). Without Redis (the local-memory
default of ``make run``, where no beat runs) the buffer lives in this process and is flushed by
the request that finds it full or a minute old.

Views seen on the product page (the hottest read) do not wait for Redis: ``add_once_later``
queues the "seen" check in the process and a background thread sends all queued checks in one
script call about once a second (see ``_LaterMarks``).
"""

import atexit
import logging
import os
import threading
import time
import uuid
from collections import Counter

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ResponseError

logger = logging.getLogger(__name__)

PENDING_KEY = "activity:pending"
LOCAL_MAX_EVENTS = 500
LOCAL_MAX_AGE_SECONDS = 60

# In-process buffers, one per cache key prefix (so deployments or tests sharing a process never mix).
_local: dict[str, Counter[str]] = {}
_local_since: dict[str, float] = {}
_local_lock = threading.Lock()


def redis_client():
    """The default cache and, when it is Redis, its raw client (Django's RedisCache)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return backend, backend._cache.get_client(write=True)
    return backend, None


def add(field, amount=1):
    """Add ``amount`` to the buffered counter ``field`` (``"<product>:<action>:<date>"``)."""
    backend, client = redis_client()
    if client is not None:
        client.hincrby(backend.make_key(PENDING_KEY), field, amount)
        return
    with _local_lock:
        _local.setdefault(backend.key_prefix, Counter())[field] += amount
        _local_since.setdefault(backend.key_prefix, time.monotonic())


# SET the "seen" marker if absent and, only then, count the event: one round trip per view.
ADD_ONCE_SCRIPT = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
  return 1
end
return 0
"""


def add_once(marker, field, ttl_seconds):
    """Count ``field`` unless ``marker`` was seen within ``ttl_seconds``; True when counted."""
    backend, client = redis_client()
    if client is not None:
        keys = [backend.make_key(marker), backend.make_key(PENDING_KEY)]
        return bool(client.eval(ADD_ONCE_SCRIPT, 2, *keys, ttl_seconds, field))
    if not backend.add(marker, 1, ttl_seconds):
        return False
    add(field)
    return True


# The same for a batch: KEYS[1] is the pending hash, KEYS[i] (i > 1) a marker whose field and
# time to live are ARGV[2i-3] and ARGV[2i-2]. Returns how many were counted.
ADD_ONCE_BATCH_SCRIPT = """
local counted = 0
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'NX', 'EX', ARGV[2 * i - 2]) then
    redis.call('HINCRBY', KEYS[1], ARGV[2 * i - 3], 1)
    counted = counted + 1
  end
end
return counted
"""
LATER_FLUSH_SECONDS = 1.0
LATER_MAX_MARKS = 10_000  # kept while Redis is unreachable; older marks beyond it are dropped


class _LaterMarks:
    """``add_once`` checks queued in this process and sent in one script call per pending hash.

    A daemon thread (one per process, started by the first mark after a fork) sends them every
    ``LATER_FLUSH_SECONDS``, at once when many are queued, and at exit. The check itself is as
    exact as ``add_once``: Redis decides, in order, whether each marker was already set.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._marks = []  # (redis client, pending key, marker key, field, ttl seconds)
        self._wake = threading.Event()
        self._pid = None

    def add(self, mark):
        with self._lock:
            self._marks.append(mark)
            queued = len(self._marks)
            if self._pid != os.getpid():  # first mark in this process (or since a fork)
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="activity-marks", daemon=True).start()
                atexit.register(self.send)
        if queued >= 500:
            self._wake.set()

    def send(self):
        """Send every queued mark now; returns how many were counted."""
        with self._lock:
            marks, self._marks = self._marks, []
        if not marks:
            return 0
        by_hash = {}
        for client, pending, marker, field, ttl in marks:
            by_hash.setdefault((client, pending), []).append((marker, field, ttl))
        counted = 0
        try:
            for (client, pending), group in by_hash.items():
                arguments = [value for _, field, ttl in group for value in (field, ttl)]
                keys = [pending, *(marker for marker, _, _ in group)]
                counted += client.eval(ADD_ONCE_BATCH_SCRIPT, len(keys), *keys, *arguments)
        except Exception:
            logger.exception("Could not send %d queued view marks to Redis; keeping them", len(marks))
            with self._lock:
                self._marks[:0] = marks
                del self._marks[: max(0, len(self._marks) - LATER_MAX_MARKS)]
            return counted
        return counted

    def _run(self):
        while True:
            self._wake.wait(LATER_FLUSH_SECONDS)
            self._wake.clear()
            self.send()


_later = _LaterMarks()


def add_once_later(marker, field, ttl_seconds):
    """``add_once`` without waiting: with Redis, the check is queued and sent within a second."""
    backend, client = redis_client()
    if client is None:
        add_once(marker, field, ttl_seconds)
        return
    _later.add((client, backend.make_key(PENDING_KEY), backend.make_key(marker), field, ttl_seconds))


def local_flush_due():
    """True when the in-process buffer (no Redis) should be written now."""
    prefix = caches["default"].key_prefix
    with _local_lock:
        since = _local_since.get(prefix)
        if since is None:
            return False
        full = sum(_local[prefix].values()) >= LOCAL_MAX_EVENTS
        return full or time.monotonic() - since >= LOCAL_MAX_AGE_SECONDS


def _drain_local(prefix):
    with _local_lock:
        _local_since.pop(prefix, None)
        return _local.pop(prefix, Counter())


def drain():
    """Take every buffered counter out of the buffer: ``Counter({field: amount})``.

    This process's queued ``add_once_later`` checks are sent first.
    """
    backend, client = redis_client()
    if client is None:
        return _drain_local(backend.key_prefix)
    _later.send()
    pending = backend.make_key(PENDING_KEY)
    draining = backend.make_key(f"activity:draining:{uuid.uuid4().hex}")
    try:
        client.rename(pending, draining)
    except ResponseError as exc:
        if "no such key" in str(exc).lower():  # nothing buffered
            return Counter()
        raise
    raw = client.hgetall(draining)
    client.delete(draining)
    return Counter({key.decode(): int(value) for key, value in raw.items()})


def restore(counts):
    """Put counts back after a failed database write, so they are flushed next time."""
    for field, amount in counts.items():
        add(field, amount)
