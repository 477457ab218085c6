"""Factories and helpers for cart, checkout, order and payment tests."""

import itertools
import json
import threading
from decimal import Decimal

import factory
from django.db import connections

from authentication.tests.factories import SellerFactory
from marketplace.catalog.images.services import product_galleries_refresh
from marketplace.catalog.models import Product, ProductImage
from marketplace.ordering.services.cart import cart_add_item
from payment_system.tests.fake_stripe import event, sign_webhook

STRIPE_TEST_WEBHOOK_SECRET = "whsec_test_platform"  # the fake_stripe fixture sets it
WEBHOOK_URL = "/api/payments/stripe_webhook/"
_session_numbers = itertools.count(1)


class OrderingProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    seller = factory.SubFactory(SellerFactory)
    name = factory.Sequence(lambda n: f"Oak Chair {n}")
    slug = factory.Sequence(lambda n: f"oak-chair-{n}")
    price = Decimal("100.00")
    stock_quantity = 10


def add_image(product, name="products/chair.jpg"):
    image = ProductImage.objects.create(product=product, image=name, is_primary=True)
    product_galleries_refresh([product.pk])
    return image


def fill_cart(user, *lines):
    """``fill_cart(user, (product, 2), ...)`` through the cart service."""
    for product, quantity in lines:
        cart_add_item(user=user, product_id=product.pk, quantity=quantity)


def placed_order(*lines, session_prefix="cs_test", provider="stripe"):
    """A new buyer's order of ``lines`` (``(product, quantity), ...``) placed through the checkout
    service, with its pending ``Payment`` (session ``<session_prefix>_<order hex>``; a
    ``session_prefix`` of None: no payment yet)."""
    from authentication.tests.factories import UserFactory
    from marketplace.ordering.services.checkout import order_place_from_cart
    from payment_system.payments.models import Payment

    buyer = UserFactory()
    fill_cart(buyer, *lines)
    order = order_place_from_cart(buyer=buyer)
    if session_prefix is not None:
        Payment.objects.create(
            order=order,
            provider=provider,
            amount=order.total_amount,
            currency=order.currency,
            checkout_session_id=f"{session_prefix}_{order.pk.hex}",
        )
    return order


def route_checkout_sessions(fake_stripe, *, status=200, error=None):
    """Answer ``POST /v1/checkout/sessions`` like Stripe (a new session per idempotency key)."""
    sessions = {}

    def create(request, match):
        if error:
            return status, {"error": {"type": "invalid_request_error", "message": error}}
        key = request.idempotency_key
        if key not in sessions:
            number = next(_session_numbers)
            sessions[key] = {
                "id": f"cs_test_{number}",
                "object": "checkout.session",
                "client_secret": f"cs_test_{number}_secret_abc",
                "status": "open",
                "payment_status": "unpaid",
                "amount_total": None,
                "currency": request.form.get("line_items[0][price_data][currency]"),
            }
        return 200, sessions[key]

    fake_stripe.on("POST", r"/v1/checkout/sessions", create)
    return sessions


def route_session_expire(fake_stripe, *, status="expired"):
    def expire(request, match):
        return 200, {
            "id": match.group(1),
            "object": "checkout.session",
            "status": status,
            "client_secret": "",
        }

    fake_stripe.on("POST", r"/v1/checkout/sessions/([^/]+)/expire", expire)


def route_refunds(fake_stripe, *, status="succeeded"):
    refunds = itertools.count(1)

    def create(request, match):
        return 200, {
            "id": f"re_test_{next(refunds)}",
            "object": "refund",
            "status": status,
            "amount": int(request.form["amount"]),
            "payment_intent": request.form["payment_intent"],
            "metadata": {"refund_id": request.form.get("metadata[refund_id]")},
        }

    fake_stripe.on("POST", r"/v1/refunds", create)


def route_payment_fee(fake_stripe, *, fee_minor=320, currency="usd"):
    fake_stripe.on(
        "GET",
        r"/v1/payment_intents/([^/]+)",
        lambda request, match: (
            200,
            {
                "id": match.group(1),
                "object": "payment_intent",
                "latest_charge": {
                    "id": "ch_test_1",
                    "object": "charge",
                    "balance_transaction": {"id": "txn_1", "fee": fee_minor, "currency": currency},
                },
            },
        ),
    )


def completed_session(order, *, amount_minor=None, currency=None, payment_status="paid", session_id=None):
    """The ``data.object`` of a ``checkout.session.completed`` event for ``order``."""
    amount = int(order.total_amount * 100) if amount_minor is None else amount_minor
    return {
        "id": session_id or order.payment.checkout_session_id,
        "object": "checkout.session",
        "status": "complete",
        "payment_status": payment_status,
        "amount_total": amount,
        "currency": currency or order.currency.lower(),
        "client_reference_id": str(order.pk),
        "metadata": {"order_id": str(order.pk)},
        "payment_intent": f"pi_{str(order.pk)[:8]}",
        "customer_details": {"email": order.buyer.email, "name": "Ada Maker"},
        "collected_information": {
            "shipping_details": {
                "name": "Ada Maker",
                "address": {
                    "line1": "12 Harbour Road",
                    "line2": "Flat 3",
                    "city": "Porto",
                    "state": "",
                    "postal_code": "4000-001",
                    "country": "PT",
                },
            }
        },
    }


def post_event(client, body, *, secret=STRIPE_TEST_WEBHOOK_SECRET, signature=None, expect=None):
    """POST a signed webhook; with ``expect`` the HTTP status must be that."""
    payload = json.dumps(body)
    header = signature if signature is not None else sign_webhook(payload, secret)
    response = client.post(
        WEBHOOK_URL, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    if expect is not None:
        assert response.status_code == expect, (response.status_code, response.content)
    return response


def send_event(client, event_type, obj, *, expect=200, **kwargs):
    """A signed ``event_type`` webhook around ``obj``; the answer must be ``expect`` (200: Stripe
    retries anything else), ``expect=None`` to check it in the test."""
    body = event(event_type, obj, **{k: v for k, v in kwargs.items() if k == "event_id"})
    return post_event(client, body, expect=expect)


def pending_order(auth_client, buyer, fake_stripe, *lines):
    """Check ``lines`` out through E37 against the fake Stripe; returns the pending order."""
    from marketplace.ordering.models import Order

    route_checkout_sessions(fake_stripe)
    fill_cart(buyer, *lines)
    response = auth_client(buyer).post("/api/payments/checkout_session/")
    assert response.status_code == 200, response.content
    return Order.objects.select_related("payment", "buyer").get(pk=response.json()["order_id"])


def paid_order(auth_client, api_client, buyer, fake_stripe, *lines):
    """A pending order paid through a signed ``checkout.session.completed`` webhook."""
    order = pending_order(auth_client, buyer, fake_stripe, *lines)
    response = send_event(api_client, "checkout.session.completed", completed_session(order))
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    return order


def run_concurrently(functions):
    """Start ``functions`` together in threads (each with its own DB connection); ``[(outcome, value)]``."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait()
            results[index] = ("ok", function())
        except Exception as exc:  # noqa: BLE001 (collected and asserted below)
            results[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=pair) for pair in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
