"""A per-user sliding-window limit (a log of the last ``count`` send times) in the shared Redis, so
it holds across connections, server processes, REST and sockets: at most ``count`` events in
any ``period`` seconds, with no burst at a window's edge. One script call per event, timed by
Redis's own clock; without Redis (``make run``) the log is kept in this process.
"""

import threading
import time
import uuid
from typing import Any

from django.core.cache import caches
from redis.exceptions import NoScriptError

from designiaBackend.api.throttling import parse_rate
from designiaBackend.cache import CACHE_ERRORS, RedisCache, cache_available, cache_circuit_trip

# KEYS[1] the log; ARGV: period (s), count, a unique member. Returns 0 when the event is taken,
# else the seconds (a string) until the oldest logged event leaves the window.
SLIDING_WINDOW = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local period = tonumber(ARGV[1])
local count = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - period)
if redis.call('ZCARD', KEYS[1]) < count then
    redis.call('ZADD', KEYS[1], now, ARGV[3])
    redis.call('PEXPIRE', KEYS[1], math.ceil(period * 1000))
    return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + period - now)
"""

_local_logs: dict[str, list[float]] = {}
_local_lock = threading.Lock()
_scripts: dict[int, Any] = {}
__all__ = ["parse_rate", "take", "take_many"]


def take(scope: str, ident: object, rate: str) -> float:
    """Count one event for ``ident``: 0.0 if allowed, else the seconds until one is allowed."""
    count, period = parse_rate(rate)
    key = f"ratelimit:{scope}:{ident}"
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # Redis down: chat limits fail open (a message is never refused for it; README, Operations).
        if not cache_available():
            return 0.0
        try:
            return _take_in_redis(backend, backend.make_key(key), count, period)
        except CACHE_ERRORS as exc:
            cache_circuit_trip("chat_rate_limit", exc)
            return 0.0
    return _take_in_process(key, count, period)


def take_many(scope: str, idents: list[object], rate: str) -> list[float]:
    """``take`` for each ident in turn (one may repeat), in one Redis round trip (a pipeline)."""
    count, period = parse_rate(rate)
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return [_take_in_process(f"ratelimit:{scope}:{ident}", count, period) for ident in idents]
    if not cache_available():
        return [0.0] * len(idents)
    try:
        client = backend._cache.get_client(write=True)  # type: ignore[attr-defined]
        keys = [backend.make_key(f"ratelimit:{scope}:{ident}") for ident in idents]
        try:
            return _evalsha_many(client, keys, count, period)
        except NoScriptError:  # a Redis restarted or flushed since the script was loaded
            client.script_load(SLIDING_WINDOW)
            return _evalsha_many(client, keys, count, period)
    except CACHE_ERRORS as exc:
        cache_circuit_trip("chat_rate_limit", exc)
        return [0.0] * len(idents)


def _evalsha_many(client: Any, keys: list[str], count: int, period: int) -> list[float]:
    # EVALSHA straight into the pipeline: redis-py's Script in a pipeline checks SCRIPT EXISTS
    # first, a second round trip per batch.
    sha = _script_for(client).sha
    pipe = client.pipeline(transaction=False)
    for key in keys:
        pipe.execute_command("EVALSHA", sha, 1, key, period, count, uuid.uuid4().hex)
    return [float(wait) for wait in pipe.execute()]


def _script_for(client: Any) -> Any:
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(SLIDING_WINDOW)
    return script


def _take_in_redis(backend: RedisCache, key: str, count: int, period: int) -> float:
    client = backend._cache.get_client(write=True)  # type: ignore[attr-defined]
    return float(_script_for(client)(keys=[key], args=[period, count, uuid.uuid4().hex]))


def _take_in_process(key: str, count: int, period: int) -> float:
    now = time.monotonic()
    with _local_lock:
        log = [moment for moment in _local_logs.get(key, []) if moment > now - period]
        _local_logs[key] = log
        if len(log) < count:
            log.append(now)
            return 0.0
        return log[0] + period - now
