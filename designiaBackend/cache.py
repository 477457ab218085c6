"""Django's Redis cache, with one redis-py client per connection pool instead of one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache operation,
and redis-py fills a table of about 170 response callbacks each time: on a cache hit that was a
fifth of the request's CPU. A ``redis.Redis`` is thread-safe and holds no connection itself
(it borrows one from the pool per command), so one per pool can be reused for every call.

``ResilientRedisCache`` (the configured backend) also answers "not cached" when Redis is down.
"""

import logging
import time

import redis
from django.conf import settings
from django.core.cache.backends import redis as django_redis

logger = logging.getLogger(__name__)


class ReusingRedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


# --- Reads fall back to the database when Redis is unreachable ---------------------------------
# A failed call opens a short circuit: for ``CACHE_CIRCUIT_OPEN_SECONDS`` every cache call of this
# process answers "not cached" at once (no request waits for a Redis timeout); the first call after
# that tries Redis again. Callers see a miss (``get`` -> default) or a write that did not happen.
_circuit = {"open_until": 0.0}
CACHE_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def cache_available() -> bool:
    """False while the circuit is open (Redis failed within the last few seconds)."""
    return time.monotonic() >= _circuit["open_until"]


def cache_circuit_reset() -> None:
    _circuit["open_until"] = 0.0


def cache_circuit_trip(operation: str, exc: BaseException) -> None:
    """Open the circuit after a failed Redis call (also for callers that use the client directly)."""
    from designiaBackend.observability import metrics

    _circuit["open_until"] = time.monotonic() + settings.CACHE_CIRCUIT_OPEN_SECONDS
    metrics.CACHE_FAILURES.labels(operation=operation).inc()
    logger.warning("Cache %s failed (%r): answering without the cache for a while", operation, exc)


def _guarded(name, fallback):
    def method(self, *args, **kwargs):
        from designiaBackend.observability import metrics

        if not cache_available():
            metrics.CACHE_FAILURES.labels(operation="skipped").inc()
            return fallback(*args, **kwargs)
        try:
            return getattr(django_redis.RedisCache, name)(self, *args, **kwargs)
        except CACHE_ERRORS as exc:
            cache_circuit_trip(name, exc)
            return fallback(*args, **kwargs)

    method.__name__ = name
    return method


def _default(key, default=None, version=None):
    return default


class ResilientRedisCache(RedisCache):
    """``RedisCache`` whose failures read as misses, behind the circuit above."""

    get = _guarded("get", _default)
    get_many = _guarded("get_many", lambda keys, version=None: {})
    set = _guarded("set", lambda *args, **kwargs: None)
    add = _guarded("add", lambda *args, **kwargs: False)
    set_many = _guarded("set_many", lambda data, *args, **kwargs: list(data))
    touch = _guarded("touch", lambda *args, **kwargs: False)
    delete = _guarded("delete", lambda *args, **kwargs: False)
    delete_many = _guarded("delete_many", lambda *args, **kwargs: None)
    has_key = _guarded("has_key", lambda *args, **kwargs: False)
