import asyncio

import pytest
import requests

from authentication.tests.factories import SellerFactory, UserFactory
from chat.tests.factories import ProductFactory, thread_between
from chat.tests.sockets import token_for


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories set passwords; chat tests never log in with them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def pair(db):
    """A buyer, a seller and their thread about one of the seller's products."""
    buyer, seller = UserFactory(username="anna"), SellerFactory(username="bruno")
    thread = thread_between(buyer, seller, product=ProductFactory(seller=seller))
    return buyer, seller, thread


class LiveHttp:
    """Blocking HTTP calls to the live server, usable from async tests (run in a thread)."""

    def __init__(self, server):
        self.server = server

    def _call(self, method, path, user=None, **kwargs):
        headers = {"Origin": "http://localhost:5173"}
        if user is not None:
            headers["Authorization"] = f"Bearer {token_for(user)}"
        return requests.request(
            method, f"{self.server.http_url}{path}", headers=headers, timeout=15, **kwargs
        )

    def get(self, path, user=None, **kwargs):
        return self._call("GET", path, user, **kwargs)

    def post(self, path, user=None, **kwargs):
        return self._call("POST", path, user, **kwargs)

    async def aget(self, path, user=None, **kwargs):
        return await asyncio.to_thread(self.get, path, user, **kwargs)

    async def apost(self, path, user=None, **kwargs):
        return await asyncio.to_thread(self.post, path, user, **kwargs)


@pytest.fixture
def live_http(live_asgi_server):
    return LiveHttp(live_asgi_server)


@pytest.fixture
def fresh_rate_window():
    """Wait, if needed, so a fixed rate-limit window does not roll over during the next seconds."""
    import time

    from chat.ratelimit import parse_rate

    def wait(rate, margin=5):
        limit, period = parse_rate(rate)
        left = period - time.time() % period
        if left < margin:
            time.sleep(left + 0.1)
        return limit

    return wait
