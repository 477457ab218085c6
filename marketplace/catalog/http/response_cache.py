"""Short-lived caching of public catalogue responses, invalidated by a catalogue version.

Every product, image, category or review change, and every stock change (checkout, release),
bumps the version (after commit), so a cached page is never older than the last write; counters that change on every visit (views, favorites)
may lag by at most ``CATALOG_RESPONSE_CACHE_SECONDS``. An entry stores the version it was built
for, so one ``get_many`` round trip reads both and a stale entry is simply rebuilt.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

VERSION_KEY = "catalog:version"


def catalog_version_bump():
    cache.set(VERSION_KEY, str(time.time_ns()), None)


def _current_version(found):
    version = found.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, str(time.time_ns()), None)
        version = cache.get(VERSION_KEY)
    return version


def cached_value(key, build, seconds=None):
    """``build()`` cached under ``key`` for the current catalogue version (one round trip on a hit),
    at most ``seconds`` (default ``CATALOG_RESPONSE_CACHE_SECONDS``; 0: not cached)."""
    seconds = settings.CATALOG_RESPONSE_CACHE_SECONDS if seconds is None else seconds
    if not seconds:
        return build()
    found = cache.get_many([VERSION_KEY, key])
    version = _current_version(found)
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return entry[1]
    value = build()
    if value is not None:
        cache.set(key, (version, value), seconds)
    return value


def request_key(namespace, request):
    params = sorted((key, value) for key in request.GET for value in request.GET.getlist(key))
    raw = f"{request.get_host()}|{request.path}|{params}"
    return f"catalog:response:{namespace}:{hashlib.sha256(raw.encode()).hexdigest()[:32]}"


def cached_json_response(namespace, request, build):
    """The cached rendered body for this request, or ``build()`` (JSON bytes), cached."""
    return HttpResponse(cached_value(request_key(namespace, request), build), content_type="application/json")
