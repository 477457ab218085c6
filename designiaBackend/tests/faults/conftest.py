"""Fixtures of the fault tests: the private Redis, and the cache and channel layer moved onto it."""

import pytest
from channels.layers import channel_layers

from designiaBackend.cache import cache_circuit_reset
from designiaBackend.tests.faults.services import PrivateRedis, forget_result_backend


@pytest.fixture
def private_redis():
    from designiaBackend.celery import app as celery_app

    server = PrivateRedis()
    server.start()
    forget_result_backend(celery_app)  # one built on another broker would be reused
    yield server
    if server.process.poll() is None:
        server.kill()
    forget_result_backend(celery_app)


@pytest.fixture
def redis_everywhere(private_redis, settings):
    """Cache and channel layer on the private Redis (tasks still run inline unless a test sends them)."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "designiaBackend.cache.ResilientRedisCache",
            "LOCATION": private_redis.url,
            "KEY_PREFIX": "faults",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        },
    }
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "designiaBackend.api.channel_layer.BoundedPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": private_redis.url}], "prefix": "faults:asgi", "capacity": 100},
        }
    }
    settings.CATALOG_RESPONSE_CACHE_SECONDS = 60
    channel_layers.backends = {}
    cache_circuit_reset()
    yield private_redis
    channel_layers.backends = {}
    cache_circuit_reset()
