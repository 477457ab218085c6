"""Real concurrent races on MariaDB row locks: the payment webhook against a cancel or a timeout."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from authentication.tests.factories import UserFactory
from infrastructure.payments import WebhookEvent
from marketplace.catalog.models import Product
from marketplace.ordering.models import Order
from marketplace.ordering.services.orders import order_cancel
from marketplace.tests.ordering_factories import (
    OrderingProductFactory,
    completed_session,
    fill_cart,
    placed_order,
    route_refunds,
    route_session_expire,
    run_concurrently,
)
from payment_system.checkout.timeouts import payment_timeouts_check
from payment_system.payments.models import Payment, Refund
from payment_system.webhooks.services import webhook_event_process

pytestmark = [
    pytest.mark.skipif(connection.vendor != "mysql", reason="row locks are exercised on MariaDB"),
    pytest.mark.django_db(transaction=True),
]


def pending(product, quantity):
    order = placed_order((product, quantity), session_prefix="cs_race")
    return Order.objects.select_related("payment", "buyer").get(pk=order.pk)


def completion(order):
    return WebhookEvent(
        id=f"evt_race_{order.pk.hex}",
        type="checkout.session.completed",
        data=completed_session(order),
        created=0,
    )


@pytest.mark.parametrize("round_number", range(3))
def test_cancel_racing_payment_ends_refunded_with_stock_released_once(fake_stripe, round_number):
    route_refunds(fake_stripe, status="succeeded")
    product = OrderingProductFactory(price=Decimal("60.00"), stock_quantity=5)
    order = pending(product, 2)

    results = run_concurrently(
        [
            lambda: order_cancel(order_id=order.pk, buyer=order.buyer, reason="changed_mind"),
            lambda: webhook_event_process(event=completion(order)),
        ]
    )

    assert [outcome for outcome, _ in results] == ["ok", "ok"]
    order.refresh_from_db()
    # Whichever came first, the buyer cancelled a paid order: the money goes back exactly once.
    assert (order.status, order.payment_status) == ("refunded", "refunded")
    assert Product.objects.get(pk=product.pk).stock_quantity == 5
    [refund] = Refund.objects.filter(order=order)
    assert (refund.status, refund.amount) == ("succeeded", order.total_amount)
    assert len(fake_stripe.requests_to("POST", r"/v1/refunds")) == 1


@pytest.mark.parametrize("round_number", range(3))
def test_timeout_racing_payment_keeps_stock_and_money_consistent(fake_stripe, settings, round_number):
    settings.PAYMENT_TIMEOUT_DAYS = 3
    route_session_expire(fake_stripe, status="expired")
    route_refunds(fake_stripe, status="succeeded")
    product = OrderingProductFactory(price=Decimal("60.00"), stock_quantity=5)
    order = pending(product, 2)
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=4))

    results = run_concurrently(
        [payment_timeouts_check, lambda: webhook_event_process(event=completion(order))]
    )

    assert [outcome for outcome, _ in results] == ["ok", "ok"]
    order.refresh_from_db()
    stock = Product.objects.get(pk=product.pk).stock_quantity
    if order.status == "awaiting_shipment":  # the payment won: nothing cancelled, nothing refunded
        assert (order.payment_status, stock) == ("paid", 3)
        assert not Refund.objects.filter(order=order).exists()
    else:  # the timeout won: the late payment is refunded and the stock is back once
        assert (order.status, order.payment_status, stock) == ("refunded", "refunded", 5)
        assert Refund.objects.get(order=order).status == "succeeded"


def test_two_retries_at_once_leave_the_order_one_payable_session(fake_stripe, auth_client):
    """Both retries find the expired session and open one each; the one replaced is closed."""
    import threading

    from marketplace.tests.ordering_factories import route_checkout_sessions

    route_checkout_sessions(fake_stripe)
    route_session_expire(fake_stripe)
    buyer = UserFactory()
    fill_cart(buyer, (OrderingProductFactory(price=Decimal("80.00")), 1))
    order_id = auth_client(buyer).post("/api/payments/checkout_session/").json()["order_id"]
    expired = Payment.objects.get(order_id=order_id).checkout_session_id
    both_looked = threading.Barrier(2, timeout=30)

    def retrieve_expired(request, match):
        both_looked.wait()  # neither retry goes on before both saw the expired session
        return 200, {"id": expired, "object": "checkout.session", "status": "expired"}

    fake_stripe.on("GET", rf"/v1/checkout/sessions/{expired}", retrieve_expired)
    retry = f"/api/payments/checkout_session/retry/{order_id}/"

    results = run_concurrently([lambda: auth_client(buyer).get(retry), lambda: auth_client(buyer).get(retry)])

    assert [(outcome, response.status_code) for outcome, response in results] == [("ok", 200), ("ok", 200)]
    opened = {response.json()["clientSecret"].split("_secret")[0] for _, response in results}
    assert len(opened) == 2  # one new session per retry ...
    current = Payment.objects.get(order_id=order_id).checkout_session_id
    expire_calls = fake_stripe.requests_to("POST", r"/v1/checkout/sessions/[^/]+/expire")
    assert [r.path.split("/")[-2] for r in expire_calls] == list(opened - {current})  # ... one closed
