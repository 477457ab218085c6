"""Cancel, refunds and the races between a cancel or a timeout and the payment webhook."""

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
    paid_order,
    pending_order,
    route_refunds,
    route_session_expire,
    send_event,
)
from payment_system.checkout.timeouts import payment_timeouts_check
from payment_system.payments.models import Payment, Refund, SellerTransaction

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pricing(settings):
    settings.SHIPPING_FLAT_RATE = Decimal("10.00")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("0")
    settings.TAX_DEFAULT_RATE = Decimal("0")
    settings.PAYMENT_TIMEOUT_DAYS = 3


@pytest.fixture
def buyer():
    return UserFactory()


@pytest.fixture
def product():
    return OrderingProductFactory(price=Decimal("90.00"), stock_quantity=4)


def cancel(auth_client, buyer, order):
    return auth_client(buyer).post(
        f"/api/marketplace/orders/{order.pk}/cancel/", {"reason": "changed_mind"}, format="json"
    )


def test_cancel_paid_order_refunds_through_stripe_then_becomes_refunded(
    auth_client, api_client, buyer, product, fake_stripe, mailoutbox
):
    route_refunds(fake_stripe, status="pending")
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (product, 2))
    assert Product.objects.get(pk=product.pk).stock_quantity == 2

    response = cancel(auth_client, buyer, order)

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert Product.objects.get(pk=product.pk).stock_quantity == 4
    [request] = fake_stripe.requests_to("POST", r"/v1/refunds")
    refund = Refund.objects.get(order=order)
    assert request.idempotency_key == refund.idempotency_key
    assert request.form["amount"] == "19000"
    assert request.form["payment_intent"] == order.payment.payment_intent_id
    assert request.form["metadata[refund_id]"] == str(refund.pk)
    assert (refund.status, refund.provider_refund_id) == ("requested", "re_test_1")
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("cancelled", "paid")

    stripe_refund = {
        "id": "re_test_1",
        "object": "refund",
        "status": "succeeded",
        "amount": 19000,
        "currency": "usd",
        "payment_intent": order.payment.payment_intent_id,
        "metadata": {"refund_id": str(refund.pk)},
    }
    send_event(api_client, "refund.updated", stripe_refund)
    send_event(api_client, "refund.updated", {**stripe_refund, "status": "pending"})  # late and older

    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("refunded", "refunded")
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.amount_refunded) == ("refunded", Decimal("190.00"))
    assert Refund.objects.get(pk=refund.pk).status == "succeeded"
    assert SellerTransaction.objects.get(order=order).status == "refunded"
    assert Product.objects.get(pk=product.pk).stock_quantity == 4  # released exactly once
    # the receipt, the seller's new shipment, the cancellation to the seller (issue 16) and to
    # the buyer, the refund (a full refund: the order e-mail only, no second "refund sent" one)
    seller = product.seller
    assert [(m.to[0], m.subject.split()[-1]) for m in mailoutbox] == [
        (buyer.email, "confirmed"),
        (seller.email, "ship"),
        (seller.email, "cancelled"),
        (buyer.email, "cancelled"),
        (buyer.email, "refunded"),
    ]


def test_charge_refunded_without_refund_list_settles_open_refund(
    auth_client, api_client, buyer, product, fake_stripe
):
    route_refunds(fake_stripe, status="pending")
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (product, 1))
    cancel(auth_client, buyer, order)
    charge = {
        "id": "ch_1",
        "object": "charge",
        "amount": 10000,
        "amount_refunded": 10000,
        "currency": "usd",
        "payment_intent": order.payment.payment_intent_id,
        "refunded": True,
    }

    send_event(api_client, "charge.refunded", charge)

    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("refunded", "refunded")
    assert Refund.objects.get(order=order).status == "succeeded"


def test_refund_failure_flags_order_and_keeps_it_cancelled(
    auth_client, api_client, buyer, product, fake_stripe
):
    route_refunds(fake_stripe, status="pending")
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (product, 1))
    cancel(auth_client, buyer, order)
    refund = Refund.objects.get(order=order)

    send_event(
        api_client,
        "refund.failed",
        {
            "id": refund.provider_refund_id,
            "object": "refund",
            "status": "failed",
            "payment_intent": order.payment.payment_intent_id,
            "metadata": {"refund_id": str(refund.pk)},
        },
    )

    order.refresh_from_db()
    assert (order.status, order.payment_status, order.needs_review) == ("cancelled", "paid", True)
    assert Refund.objects.get(pk=refund.pk).status == "failed"


def test_cancel_unpaid_order_releases_stock_and_closes_the_session(auth_client, buyer, product, fake_stripe):
    route_session_expire(fake_stripe)
    order = pending_order(auth_client, buyer, fake_stripe, (product, 3))

    response = cancel(auth_client, buyer, order)

    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.cancellation_reason, order.stock_released) == (
        "cancelled",
        "changed_mind",
        True,
    )
    assert Product.objects.get(pk=product.pk).stock_quantity == 4
    assert not fake_stripe.requests_to("POST", r"/v1/refunds")
    [expire] = fake_stripe.requests_to("POST", r"/v1/checkout/sessions/.*/expire")
    assert expire.path == f"/v1/checkout/sessions/{order.payment.checkout_session_id}/expire"


def test_payment_arriving_after_cancel_is_refunded_and_stock_released_once(
    auth_client, api_client, buyer, product, fake_stripe
):
    route_refunds(fake_stripe, status="succeeded")
    order = pending_order(auth_client, buyer, fake_stripe, (product, 2))
    cancel(auth_client, buyer, order)

    response = send_event(api_client, "checkout.session.completed", completed_session(order))

    assert response.json()["outcome"] == "processed"
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("refunded", "refunded")
    assert Product.objects.get(pk=product.pk).stock_quantity == 4
    [request] = fake_stripe.requests_to("POST", r"/v1/refunds")
    assert request.form["amount"] == str(int(order.total_amount * 100)) == "19000"  # shipping included
    assert request.form["payment_intent"] == order.payment.payment_intent_id
    assert not SellerTransaction.objects.filter(order=order).exists()


def test_cancel_after_payment_arrived_refunds(auth_client, api_client, buyer, product, fake_stripe):
    route_refunds(fake_stripe, status="succeeded")
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (product, 1))

    assert cancel(auth_client, buyer, order).status_code == 200

    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("refunded", "refunded")
    assert Product.objects.get(pk=product.pk).stock_quantity == 4


def age(order, days):
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_timeout_expires_session_cancels_and_releases_stock_once(auth_client, buyer, product, fake_stripe):
    route_session_expire(fake_stripe, status="expired")
    old = pending_order(auth_client, buyer, fake_stripe, (product, 2))
    recent = pending_order(auth_client, UserFactory(), fake_stripe, (product, 1))
    age(old, 4)
    age(recent, 2)

    assert payment_timeouts_check(batch_size=1) == 1
    assert payment_timeouts_check() == 0  # a second run finds nothing to do

    old.refresh_from_db()
    assert (old.status, old.cancellation_reason) == ("cancelled", "payment_timeout")
    assert Order.objects.get(pk=recent.pk).status == "pending_payment"
    assert Product.objects.get(pk=product.pk).stock_quantity == 3
    [expire] = fake_stripe.requests_to("POST", r"/v1/checkout/sessions/.*/expire")
    assert expire.path == f"/v1/checkout/sessions/{old.payment.checkout_session_id}/expire"
    assert expire.idempotency_key == f"expire-{old.payment.checkout_session_id}"


def test_timeout_leaves_order_whose_session_was_just_paid(
    auth_client, api_client, buyer, product, fake_stripe
):
    route_session_expire(fake_stripe, status="complete")
    order = pending_order(auth_client, buyer, fake_stripe, (product, 2))
    age(order, 4)

    assert payment_timeouts_check() == 0
    send_event(api_client, "checkout.session.completed", completed_session(order))

    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("awaiting_shipment", "paid")
    assert Product.objects.get(pk=product.pk).stock_quantity == 2


def test_paid_order_is_never_timed_out(auth_client, api_client, buyer, product, fake_stripe):
    route_session_expire(fake_stripe)
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (product, 1))
    age(order, 10)

    assert payment_timeouts_check() == 0
    assert Order.objects.get(pk=order.pk).status == "awaiting_shipment"
    assert not fake_stripe.requests_to("POST", r"/v1/checkout/sessions/.*/expire")


def test_payment_webhook_after_timeout_is_refunded(auth_client, api_client, buyer, product, fake_stripe):
    route_session_expire(fake_stripe, status="expired")
    route_refunds(fake_stripe, status="succeeded")
    order = pending_order(auth_client, buyer, fake_stripe, (product, 2))
    age(order, 4)
    payment_timeouts_check()

    send_event(api_client, "checkout.session.completed", completed_session(order))

    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("refunded", "refunded")
    assert Product.objects.get(pk=product.pk).stock_quantity == 4


def test_provider_outage_during_timeout_keeps_the_order(auth_client, buyer, product, fake_stripe):
    fake_stripe.on(
        "POST", r"/v1/checkout/sessions/.*/expire", (500, {"error": {"type": "api_error", "message": "x"}})
    )
    order = pending_order(auth_client, buyer, fake_stripe, (product, 1))
    age(order, 4)

    assert payment_timeouts_check() == 0
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


def test_timeout_walks_every_batch(auth_client, product, fake_stripe):
    route_session_expire(fake_stripe, status="expired")
    orders = [pending_order(auth_client, UserFactory(), fake_stripe, (product, 1)) for _ in range(3)]
    for order in orders:
        age(order, 5)

    assert payment_timeouts_check(batch_size=2) == 3

    assert set(Order.objects.values_list("status", flat=True)) == {"cancelled"}
    assert Product.objects.get(pk=product.pk).stock_quantity == 4
    assert len(fake_stripe.requests_to("POST", r"/v1/checkout/sessions/.*/expire")) == 3
