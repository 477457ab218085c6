"""A short burst of real traffic through the ops stack: what a few minutes of production do."""

import asyncio
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import requests
from websockets.asyncio.client import ClientConnection, connect

from authentication.tests.factories import DEFAULT_PASSWORD, SellerFactory, UserFactory
from conftest import STRIPE_TEST_CONNECT_WEBHOOK_SECRET, STRIPE_TEST_WEBHOOK_SECRET, bearer_for
from designiaBackend.celery import app as celery_app
from marketplace.ordering.models import Order
from marketplace.tests.ordering_factories import (
    OrderingProductFactory,
    completed_session,
    route_checkout_sessions,
    route_payment_fee,
    route_refunds,
)
from payment_system.connect.models import StripeConnectAccount
from payment_system.Tasks import check_payment_timeouts_task, update_exchange_rates_task
from payment_system.tests.fake_stripe import event, sign_webhook
from payment_system.tests.payouts_factories import connected_seller, held_transaction, route_transfers
from payment_system.tests.stripe_objects import stripe_payout

TIMEOUT = 20


@dataclass
class Traffic:
    """What the burst left behind: the chat socket stays open (the open-sockets panels) until closed."""

    loop: asyncio.AbstractEventLoop
    socket: ClientConnection
    order_id: str

    def close(self) -> None:
        self.loop.run_until_complete(self.socket.close())
        self.loop.close()


def _call(base: str, method: str, path: str, user: Any = None, **kwargs: Any) -> requests.Response:
    headers = kwargs.pop("headers", {})
    if user is not None:
        headers["Authorization"] = bearer_for(user)
    return requests.request(method, f"{base}{path}", headers=headers, timeout=TIMEOUT, **kwargs)


def _accounts(base: str) -> None:
    signed_up = _call(
        base,
        "POST",
        "/api/auth/register/",
        json={
            "email": "ops-burst@example.com",
            "password": "Burst-Traffic-2026!",
            "password_confirm": "Burst-Traffic-2026!",
        },
    )
    assert signed_up.status_code == 201, signed_up.text
    known = UserFactory()
    good = _call(base, "POST", "/api/auth/login/", json={"email": known.email, "password": DEFAULT_PASSWORD})
    bad = _call(base, "POST", "/api/auth/login/", json={"email": known.email, "password": "wrong-password"})
    assert (good.status_code, bad.status_code) == (200, 401), (good.text, bad.text)


def _browse(base: str, product: Any, user: Any) -> None:
    for path in ("/api/marketplace/products/", f"/api/marketplace/products/{product.slug}/"):
        assert _call(base, "GET", path, user).status_code == 200
    assert _call(base, "GET", "/api/marketplace/products/search/?q=oak").status_code == 200
    assert _call(base, "GET", "/api/marketplace/products/no-such-product/").status_code == 404


def _webhook(base: str, payload: str, secret: str) -> requests.Response:
    headers = {"Content-Type": "application/json", "Stripe-Signature": sign_webhook(payload, secret)}
    return _call(base, "POST", "/api/payments/stripe_webhook/", data=payload, headers=headers)


def _checkout(base: str, fake_stripe: Any, seller: Any) -> str:
    """Two buyers want the last chair: one pays (a webhook), one is refused; Stripe fails a third."""
    route_checkout_sessions(fake_stripe)
    route_payment_fee(fake_stripe)
    route_refunds(fake_stripe)
    chair = OrderingProductFactory(seller=seller, price=Decimal("80.00"), stock_quantity=1)
    first, second = UserFactory(), UserFactory()
    for buyer in (first, second):
        added = _call(
            base,
            "POST",
            "/api/marketplace/cart/add_item/",
            buyer,
            json={"product_id": chair.pk, "quantity": 1},
        )
        assert added.status_code == 200, added.text
    paid = _call(base, "POST", "/api/payments/checkout_session/", first)
    assert paid.status_code == 200, paid.text
    refused = _call(base, "POST", "/api/payments/checkout_session/", second)
    assert (refused.status_code, refused.json()["code"]) == (409, "out_of_stock"), refused.text
    order_id = paid.json()["order_id"]
    payload = json.dumps(
        event("checkout.session.completed", completed_session(Order.objects.get(pk=order_id)))
    )
    delivered, forged = _webhook(base, payload, STRIPE_TEST_WEBHOOK_SECRET), _webhook(
        base, payload, "whsec_forged"
    )
    assert (delivered.status_code, forged.status_code) == (200, 400), (delivered.text, forged.text)
    cancelled = _call(
        base, "POST", f"/api/marketplace/orders/{order_id}/cancel/", first, json={"reason": "changed_mind"}
    )
    assert cancelled.status_code == 200, cancelled.text
    # Stripe answers 500: the checkout fails with a 5xx of ours (and a checkout failure).
    route_checkout_sessions(fake_stripe, status=500, error="Stripe is down")
    stool = OrderingProductFactory(seller=seller, price=Decimal("20.00"))
    third = UserFactory()
    _call(
        base, "POST", "/api/marketplace/cart/add_item/", third, json={"product_id": stool.pk, "quantity": 1}
    )
    failed = _call(base, "POST", "/api/payments/checkout_session/", third)
    assert failed.status_code >= 500, failed.text
    return order_id


async def _chat(base: str, ws_base: str, buyer: Any, product: Any) -> ClientConnection:
    thread = _call(base, "POST", "/api/chat/conversations/", buyer, json={"product_id": product.pk})
    assert thread.status_code == 201, thread.text
    thread_id = thread.json()["thread_id"]
    sent = _call(
        base,
        "POST",
        f"/api/chat/conversations/{thread_id}/messages/",
        buyer,
        json={"text": "Still available?"},
    )
    assert sent.status_code == 201, sent.text
    token = bearer_for(buyer).removeprefix("Bearer ")
    socket = await connect(f"{ws_base}/ws/chat/{thread_id}/?token={token}", origin="http://localhost:5173")
    await socket.send(json.dumps({"type": "chat.message", "payload": {"text": "Over the socket"}}))
    await socket.send("not json")
    seen = set()
    while not {"chat.message", "error"} <= seen:
        seen.add(json.loads(await asyncio.wait_for(socket.recv(), timeout=TIMEOUT))["type"])
    return socket


def _tasks(fake_stripe: Any) -> None:
    """A transfer by the release task, and a task that fails in the worker (bad arguments)."""
    route_transfers(fake_stripe)
    held_transaction()
    released = celery_app.send_task("payment_system.Tasks.payment_tasks.release_held_funds_task")
    assert released.get(timeout=60)["released"] == 1
    broken = celery_app.send_task("designiaBackend.ping", args=["one", "too", "many"])
    assert isinstance(broken.get(timeout=60, propagate=False), TypeError)
    # Two beat tasks, run by the worker as beat would send them: their successes are recorded.
    for task in (check_payment_timeouts_task, update_exchange_rates_task):
        task.apply_async().get(timeout=60)


def _payout_failed(base: str) -> None:
    """Stripe tells the Connect webhook that a seller's payout to their bank failed."""
    account = StripeConnectAccount.objects.get(seller=connected_seller())
    body = event("payout.failed", stripe_payout(status="failed"), account=account.stripe_account_id)
    payload = json.dumps(body)
    headers = {"Content-Type": "application/json"}
    headers["Stripe-Signature"] = sign_webhook(payload, STRIPE_TEST_CONNECT_WEBHOOK_SECRET)
    answer = _call(base, "POST", "/api/payments/stripe_connect_webhook/", data=payload, headers=headers)
    assert answer.status_code == 200, answer.text


def drive(stack: Any, fake_stripe: Any) -> Traffic:
    base, ws_base = stack.api.url, stack.ws.url.replace("http://", "ws://")
    seller = SellerFactory()
    product = OrderingProductFactory(seller=seller, name="Oak Bench")
    buyer = UserFactory()
    _accounts(base)
    _browse(base, product, buyer)
    order_id = _checkout(base, fake_stripe, seller)
    loop = asyncio.new_event_loop()
    socket = loop.run_until_complete(_chat(base, ws_base, buyer, product))
    _tasks(fake_stripe)
    _payout_failed(base)
    return Traffic(loop=loop, socket=socket, order_id=order_id)
