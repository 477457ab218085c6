"""Stock held for STOCK_RESERVATION_MINUTES: released when the reservation ends unpaid, taken again
on a retry or a late payment, refunded and cancelled when it was sold meanwhile."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from authentication.tests.factories import UserFactory
from marketplace.catalog.models import Product
from marketplace.ordering.models import Order
from marketplace.tests.ordering_factories import (
    OrderingProductFactory,
    completed_session,
    pending_order,
    route_refunds,
    route_session_expire,
    send_event,
)
from payment_system.checkout.timeouts import payment_timeouts_check, stock_reservations_sweep
from payment_system.payments.models import Refund

pytestmark = pytest.mark.django_db
CART = "/api/marketplace/cart/"


def lapse(order):
    """The reservation ended (30 minutes and a second ago)."""
    Order.objects.filter(pk=order.pk).update(reserved_until=timezone.now() - timedelta(seconds=1))


def stock(product):
    return Product.objects.get(pk=product.pk).stock_quantity


def test_checkout_reserves_for_the_configured_minutes_and_the_session_lives_as_long(
    auth_client, fake_stripe, settings
):
    settings.STOCK_RESERVATION_MINUTES = 45
    chair = OrderingProductFactory(stock_quantity=1)
    started = time.time()

    order = pending_order(auth_client, UserFactory(), fake_stripe, (chair, 1))

    [request] = fake_stripe.requests_to("POST", r"/v1/checkout/sessions")
    assert abs(int(request.form["expires_at"]) - (started + 45 * 60)) < 5
    assert abs((order.reserved_until - timezone.now()) - timedelta(minutes=45)) < timedelta(seconds=5)
    assert stock(chair) == 0


def test_an_abandoned_one_of_a_kind_is_buyable_by_someone_else_after_the_reservation(
    auth_client, api_client, fake_stripe
):
    chair = OrderingProductFactory(stock_quantity=1)
    first, second = UserFactory(), UserFactory()
    abandoned = pending_order(auth_client, first, fake_stripe, (chair, 1))
    blocked = auth_client(second).post(f"{CART}add_item/", {"product_id": chair.pk}, format="json")
    route_session_expire(fake_stripe)
    lapse(abandoned)

    assert stock_reservations_sweep() == 1
    assert stock_reservations_sweep() == 0  # exactly once
    bought = pending_order(auth_client, second, fake_stripe, (chair, 1))
    fake_stripe.on(
        "GET",
        r"/v1/checkout/sessions/([^/]+)",
        lambda request, match: (
            200,
            {"id": match.group(1), "object": "checkout.session", "status": "expired"},
        ),
    )
    retry = auth_client(first).get(f"/api/payments/checkout_session/retry/{abandoned.pk}/")

    assert blocked.status_code == 400 and blocked.json()["code"] == "out_of_stock"
    assert (bought.status, stock(chair)) == ("pending_payment", 0)
    assert retry.status_code == 409 and retry.json()["code"] == "out_of_stock"
    abandoned.refresh_from_db()
    assert (abandoned.status, abandoned.cancellation_reason) == ("cancelled", "out_of_stock")
    assert list(abandoned.shipments.values_list("status", flat=True)) == ["cancelled"]
    assert stock(chair) == 0  # the cancel gave nothing back: it held nothing


def test_session_expiry_releases_at_once_and_a_retry_reserves_again(auth_client, api_client, fake_stripe):
    chair = OrderingProductFactory(stock_quantity=3)
    buyer = UserFactory()
    order = pending_order(auth_client, buyer, fake_stripe, (chair, 2))
    expired = {**completed_session(order), "status": "expired", "payment_status": "unpaid"}

    assert send_event(api_client, "checkout.session.expired", expired).status_code == 200
    order.refresh_from_db()
    assert (order.status, order.stock_released, stock(chair)) == ("pending_payment", True, 3)

    retry = auth_client(buyer).get(f"/api/payments/checkout_session/retry/{order.pk}/")

    assert retry.status_code == 200
    order.refresh_from_db()
    assert (order.stock_released, stock(chair)) == (False, 1)
    assert order.reserved_until > timezone.now() + timedelta(minutes=29)
    assert len(fake_stripe.requests_to("POST", r"/v1/checkout/sessions")) == 2


def test_a_late_payment_takes_the_stock_again_when_it_is_still_there(auth_client, api_client, fake_stripe):
    chair = OrderingProductFactory(stock_quantity=2)
    order = pending_order(auth_client, UserFactory(), fake_stripe, (chair, 1))
    route_session_expire(fake_stripe, status="expired")
    lapse(order)
    stock_reservations_sweep()

    send_event(api_client, "checkout.session.completed", completed_session(order))

    order.refresh_from_db()
    assert (order.status, order.payment_status, order.stock_released) == ("awaiting_shipment", "paid", False)
    assert stock(chair) == 1
    assert not Refund.objects.exists()


def test_a_payment_for_a_lapsed_order_whose_stock_was_sold_is_refunded_and_cancelled(
    auth_client, api_client, fake_stripe
):
    route_refunds(fake_stripe, status="succeeded")
    chair = OrderingProductFactory(stock_quantity=1, price=Decimal("250.00"))
    late = pending_order(auth_client, UserFactory(), fake_stripe, (chair, 1))
    route_session_expire(fake_stripe, status="expired")
    lapse(late)
    stock_reservations_sweep()
    pending_order(auth_client, UserFactory(), fake_stripe, (chair, 1))  # someone else took it

    response = send_event(api_client, "checkout.session.completed", completed_session(late))

    assert response.json()["outcome"] == "processed"
    late.refresh_from_db()
    assert (late.status, late.cancellation_reason) == ("refunded", "out_of_stock")
    assert late.payment_status == "refunded"
    [refund] = Refund.objects.filter(order=late)
    assert (refund.reason, refund.amount, refund.status) == (
        "stock_sold_after_reservation",
        late.total_amount,
        "succeeded",
    )
    assert stock(chair) == 0


def test_the_payment_timeout_still_cancels_after_the_grace_period(auth_client, fake_stripe, settings):
    settings.PAYMENT_TIMEOUT_DAYS = 3
    chair = OrderingProductFactory(stock_quantity=2)
    order = pending_order(auth_client, UserFactory(), fake_stripe, (chair, 1))
    route_session_expire(fake_stripe, status="expired")
    lapse(order)
    stock_reservations_sweep()
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=4))

    assert payment_timeouts_check() == 1
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert stock(chair) == 2  # released once, by the sweep
