"""A per-user fixed-window counter in the shared cache (Redis in production), so the limit holds
across connections and server processes."""

import re
import time

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

RATE = re.compile(r"^\s*(?P<count>\d+)\s*/\s*(?P<number>\d*)\s*(?P<unit>s|sec|m|min|h|hour|d|day)\w*\s*$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate):
    """``"30/min"`` -> (30, 60); ``"20/10s"`` -> (20, 10)."""
    match = RATE.match(rate or "")
    if not match:
        raise ImproperlyConfigured(f"Invalid rate {rate!r}: use '<count>/<period>', e.g. '30/min'.")
    seconds = int(match["number"] or 1) * UNIT_SECONDS[match["unit"][0]]
    return int(match["count"]), seconds


def hit(scope, ident, rate):
    """Count one event for ``ident``; False when the window's allowance is already used up."""
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    key = f"ratelimit:{scope}:{ident}:{window}"
    if cache.add(key, 1, timeout=period + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=period + 1)
            count = 1
    return count <= limit
