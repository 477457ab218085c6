"""Throttles shared across processes through the cache (Redis in production).

Rates live in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` and are read on every request, so
they follow the settings (environment) without a restart of the class definitions.

Without Redis (the cache circuit is open, ``designiaBackend.cache``) a throttle cannot count: the
scopes in ``THROTTLE_FAIL_OPEN_SCOPES`` (reads and counters such as ``activity``) let the request
through; every other scope (login, two-factor and reset codes, registration) refuses it with 503
``throttle_unavailable`` and a ``Retry-After``, so no one can guess passwords or codes unlimited.
"""

import hashlib
import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from designiaBackend.cache import cache_available
from designiaBackend.errors import ServiceUnavailableError


class ThrottleUnavailable(ServiceUnavailableError):
    code = "throttle_unavailable"
    default_message = "This is briefly unavailable. Please try again in a few seconds."
    headers = {"Retry-After": "5"}


def _decided_without_cache(scope, allowed: bool) -> bool:
    """The throttle's answer, or the scope's choice when the cache could not count (see above)."""
    if cache_available():
        return allowed
    if scope in settings.THROTTLE_FAIL_OPEN_SCOPES:
        return True
    raise ThrottleUnavailable()


RATE = re.compile(r"^\s*(?P<count>\d+)\s*/\s*(?P<number>\d*)\s*(?P<unit>s|sec|m|min|h|hour|d|day)\w*\s*$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """The one rate parser (REST throttles, the chat's sliding window): ``"30/min"`` -> (30, 60),
    ``"20/10s"`` -> (20, 10), ``"5/hour"`` -> (5, 3600)."""
    match = RATE.match(rate or "")
    if not match:
        raise ImproperlyConfigured(f"Invalid rate {rate!r}: use '<count>/<period>', e.g. '30/min'.")
    seconds = int(match["number"] or 1) * UNIT_SECONDS[match["unit"][0]]
    return int(match["count"]), seconds


def client_address(request):
    """The client's IP address: ``REMOTE_ADDR``, or the entry of ``X-Forwarded-For`` that the
    ``NUM_PROXIES`` trusted proxies added (never an address the client wrote itself)."""
    return BaseThrottle().get_ident(request)


class _SettingsRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get(self.scope)

    def parse_rate(self, rate):
        return (None, None) if rate is None else parse_rate(rate)


class IPRateThrottle(_SettingsRateThrottle):
    """Limits a view's ``throttle_scope`` per client IP."""

    def __init__(self):  # the scope comes from the view, in allow_request
        pass

    def allow_request(self, request, view):
        self.scope = getattr(view, "throttle_scope", None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        if not self.rate:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return _decided_without_cache(self.scope, super().allow_request(request, view))

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AccountRateThrottle(IPRateThrottle):
    """Limits a view's ``throttle_scope + "_account"`` per account: the e-mail or user id in the
    body, or the signed-in user. Stops one account being attacked from many addresses."""

    def allow_request(self, request, view):
        base = getattr(view, "throttle_scope", None)
        if not base:
            return True
        self.scope = f"{base}_account"
        self.rate = self.get_rate()
        if not self.rate:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return _decided_without_cache(self.scope, SimpleRateThrottle.allow_request(self, request, view))

    def get_cache_key(self, request, view):
        ident = None
        data = request.data if hasattr(request, "data") else {}
        if hasattr(data, "get"):
            ident = data.get("email") or data.get("user_id")
        if not ident and request.user and request.user.is_authenticated:
            ident = request.user.pk
        if not ident:
            return None
        # The identity comes from the request body: hash it so any value makes a short, safe key.
        digest = hashlib.sha256(str(ident).strip().lower().encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": digest}


class UserScopeRateThrottle(IPRateThrottle):
    """Limits a view's ``throttle_scope`` per signed-in user (the user id only: nothing in the
    body can change whose budget a request spends). Anonymous requests are not counted here."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
