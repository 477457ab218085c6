"""A write buffer for product activity counters.

With Redis as the cache, each event is one ``HINCRBY`` on a hash shared by every process;
``drain`` atomically renames the hash away and returns its counts for one batched database write
(the Celery beat task ``activity_flush_task``, every minute). Without Redis (the local-memory
default of ``make run``, where no beat runs) the buffer lives in this process and is flushed by
the request that finds it full or a minute old.
"""

import threading
import time
import uuid
from collections import Counter

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ResponseError

PENDING_KEY = "activity:pending"
LOCAL_MAX_EVENTS = 500
LOCAL_MAX_AGE_SECONDS = 60

# In-process buffers, one per cache key prefix (so deployments or tests sharing a process never mix).
_local = {}
_local_since = {}
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
    """Take every buffered counter out of the buffer: ``Counter({field: amount})``."""
    backend, client = redis_client()
    if client is None:
        return _drain_local(backend.key_prefix)
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
