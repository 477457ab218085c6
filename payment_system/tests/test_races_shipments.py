"""Real concurrent races on MariaDB row locks around shipments and stock reservations; each test
asserts the final order, shipments, stock and payment records."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from authentication.tests.factories import SellerFactory
from infrastructure.payments import WebhookEvent
from marketplace.catalog.models import Product
from marketplace.ordering.models import Order, Shipment
from marketplace.ordering.services.shipments import order_confirm_delivery, order_ship, shipment_cancel
from marketplace.tests.ordering_factories import (
    OrderingProductFactory,
    completed_session,
    placed_order,
    route_refunds,
    route_session_expire,
    run_concurrently,
)
from payment_system.checkout.timeouts import stock_reservations_sweep
from payment_system.payments.models import Refund, SellerTransaction
from payment_system.tests.test_races_threads import pending
from payment_system.webhooks.services import webhook_event_process

pytestmark = [
    pytest.mark.skipif(connection.vendor != "mysql", reason="row locks are exercised on MariaDB"),
    pytest.mark.django_db(transaction=True),
]


def completion(order, suffix=""):
    return WebhookEvent(
        id=f"evt_ship_{order.pk.hex}{suffix}",
        type="checkout.session.completed",
        data=completed_session(order),
        created=0,
    )


def two_seller_paid_order():
    sellers = SellerFactory(), SellerFactory()
    chair = OrderingProductFactory(seller=sellers[0], price=Decimal("100.00"), stock_quantity=5)
    lamp = OrderingProductFactory(seller=sellers[1], price=Decimal("40.00"), stock_quantity=5)
    order = pending_two(chair, lamp)
    assert webhook_event_process(event=completion(order)) == "processed"
    return Order.objects.get(pk=order.pk), sellers, (chair, lamp)


def pending_two(chair, lamp):
    order = placed_order((chair, 1), (lamp, 2), session_prefix="cs_ship")
    return Order.objects.select_related("payment", "buyer").get(pk=order.pk)


def tracking(number):
    return {"shipping_carrier": "UPS", "tracking_number": number}


@pytest.mark.parametrize("round_number", range(3))
def test_two_sellers_shipping_at_once_both_ship(fake_stripe, round_number):
    order, sellers, _ = two_seller_paid_order()

    results = run_concurrently(
        [
            lambda s=seller, n=f"1Z{i}0000000": order_ship(order_id=order.pk, seller=s, **tracking(n))
            for i, seller in enumerate(sellers)
        ]
    )

    assert [outcome for outcome, _ in results] == ["ok", "ok"]
    order.refresh_from_db()
    assert (order.status, order.fulfillment_status) == ("shipped", "shipped")
    shipments = {s.seller_id: s for s in order.shipments.all()}
    assert {shipments[s.pk].tracking_number for s in sellers} == {"1Z00000000", "1Z10000000"}
    assert {s.status for s in shipments.values()} == {"shipped"}
    assert order.tracking_number in {"1Z00000000", "1Z10000000"}
    assert set(SellerTransaction.objects.filter(order=order).values_list("status", flat=True)) == {"pending"}


@pytest.mark.parametrize("round_number", range(3))
def test_buyer_confirming_while_a_seller_cancels(fake_stripe, round_number):
    route_refunds(fake_stripe, status="succeeded")
    order, sellers, (chair, lamp) = two_seller_paid_order()
    order_ship(order_id=order.pk, seller=sellers[0], **tracking("1Z00000000"))
    lamp_part = Shipment.objects.get(order=order, seller=sellers[1])

    results = run_concurrently(
        [
            lambda: order_confirm_delivery(order_id=order.pk, buyer=order.buyer),
            lambda: shipment_cancel(shipment_id=lamp_part.pk, seller=sellers[1]),
        ]
    )

    assert [outcome for outcome, _ in results] == ["ok", "ok"]
    order.refresh_from_db()
    assert (order.status, order.fulfillment_status) == ("delivered", "delivered")
    assert dict(order.shipments.values_list("seller_id", "status")) == {
        sellers[0].pk: "delivered",
        sellers[1].pk: "cancelled",
    }
    assert Product.objects.get(pk=lamp.pk).stock_quantity == 5  # restored once
    assert Product.objects.get(pk=chair.pk).stock_quantity == 4
    [refund] = Refund.objects.filter(order=order)
    assert (refund.shipment_id, refund.amount, refund.status) == (
        lamp_part.pk,
        lamp_part.total_amount,
        "succeeded",
    )
    rows = {row.seller_id: row for row in SellerTransaction.objects.filter(order=order)}
    assert rows[sellers[0].pk].status == "held"
    assert (rows[sellers[1].pk].status, rows[sellers[1].pk].refunded_amount) == (
        "refunded",
        lamp_part.total_amount,
    )
    assert order.payment.amount_refunded == lamp_part.total_amount


@pytest.mark.parametrize("round_number", range(3))
def test_reservation_sweep_racing_the_payment_webhook(fake_stripe, round_number):
    route_session_expire(fake_stripe, status="expired")
    product = OrderingProductFactory(price=Decimal("60.00"), stock_quantity=3)
    order = pending(product, 2)
    Order.objects.filter(pk=order.pk).update(reserved_until=timezone.now() - timedelta(seconds=1))

    results = run_concurrently(
        [lambda: stock_reservations_sweep(), lambda: webhook_event_process(event=completion(order, "-sweep"))]
    )

    assert [outcome for outcome, _ in results] == ["ok", "ok"]
    assert results[1][1] == "processed"
    order.refresh_from_db()
    assert (order.status, order.payment_status, order.stock_released) == ("awaiting_shipment", "paid", False)
    assert Product.objects.get(pk=product.pk).stock_quantity == 1  # taken exactly once
    assert order.payment.status == "succeeded"
    assert not Refund.objects.filter(order=order).exists()
