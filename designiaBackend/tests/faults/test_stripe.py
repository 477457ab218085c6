"""The fake Stripe answering 500 or hanging past the client's timeout during checkout and refunds."""

import time
from decimal import Decimal

import pytest

from authentication.tests.factories import UserFactory
from designiaBackend.outbox.models import OutboxMessage
from designiaBackend.outbox.relay import outbox_relay_pending
from marketplace.catalog.models import Product
from marketplace.ordering.models import CartItem, Order
from marketplace.tests.ordering_factories import OrderingProductFactory, fill_cart, route_checkout_sessions

pytestmark = pytest.mark.django_db

PRODUCTS = "/api/marketplace/products/"
CART = "/api/marketplace/cart/"
CHECKOUT = "/api/payments/checkout_session/"


def test_stripe_answering_500_at_checkout_undoes_the_order(auth_client, fake_stripe):
    route_checkout_sessions(fake_stripe, status=500, error="Stripe is down")
    buyer = UserFactory()
    chair = OrderingProductFactory(stock_quantity=5)
    fill_cart(buyer, (chair, 2))

    response = auth_client(buyer).post(CHECKOUT)

    assert response.status_code == 503
    assert response.json()["code"]
    assert not Order.objects.filter(buyer=buyer, status="pending_payment").exists()
    assert Product.objects.get(pk=chair.pk).stock_quantity == 5
    assert CartItem.objects.get(cart__user=buyer).quantity == 2  # the cart is back


def test_stripe_hanging_past_its_timeout_at_checkout_undoes_the_order(auth_client, fake_stripe, settings):
    settings.STRIPE_TIMEOUT_SECONDS = 0.3
    release = []

    def hang(request, match):
        time.sleep(1.0)  # longer than the client waits
        release.append(True)
        return 500, {"error": {"type": "api_error", "message": "late"}}

    fake_stripe.on("POST", r"/v1/checkout/sessions$", hang)
    buyer = UserFactory()
    chair = OrderingProductFactory(stock_quantity=5)
    fill_cart(buyer, (chair, 1))

    response = auth_client(buyer).post(CHECKOUT)

    assert response.status_code == 503
    assert not Order.objects.filter(buyer=buyer, status="pending_payment").exists()
    assert Product.objects.get(pk=chair.pk).stock_quantity == 5
    assert CartItem.objects.get(cart__user=buyer).quantity == 1


# --- Stripe failing during refunds ---------------------------------------------------------------


def test_a_refund_while_stripe_answers_500_is_sent_once_after_stripe_recovers(
    auth_client, api_client, fake_stripe, settings
):
    from marketplace.tests.ordering_factories import paid_order
    from payment_system.payments.models import Refund

    buyer = UserFactory()
    product = OrderingProductFactory(price=Decimal("90.00"), stock_quantity=4)
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (product, 1))
    stripe_down = [True]
    answered = []

    def refunds(request, match):
        if stripe_down[0]:
            return 500, {"error": {"type": "api_error", "message": "Stripe is down"}}
        answered.append(request.idempotency_key)
        return 200, {
            "id": "re_test_fault",
            "object": "refund",
            "status": "pending",
            "amount": int(request.form["amount"]),
            "payment_intent": request.form["payment_intent"],
            "metadata": {"refund_id": request.form.get("metadata[refund_id]")},
        }

    fake_stripe.on("POST", r"/v1/refunds", refunds)

    response = auth_client(buyer).post(
        f"/api/marketplace/orders/{order.pk}/cancel/", {"reason": "other"}, format="json"
    )

    assert response.status_code == 200, response.content  # the cancel stands; the refund waits in the outbox
    refund = Refund.objects.get(order=order)
    assert refund.status == "pending"
    message = OutboxMessage.objects.get(key=f"refund-submit-{refund.pk}")
    assert message.done_at is None and "Stripe is down" in message.last_error  # to be retried
    tried = fake_stripe.requests_to("POST", r"/v1/refunds")
    assert tried and {request.idempotency_key for request in tried} == {refund.idempotency_key}

    stripe_down[0] = False
    settings.OUTBOX_REDELIVER_AFTER_MINUTES = 0  # the redelivery window has passed
    assert outbox_relay_pending() == 1
    assert outbox_relay_pending() == 0

    assert answered == [refund.idempotency_key]  # one refund reached Stripe, with the same key
    refund.refresh_from_db()
    assert (refund.status, refund.provider_refund_id) == ("requested", "re_test_fault")
    message.refresh_from_db()
    assert message.done_at is not None


def test_a_refund_while_stripe_hangs_past_its_timeout_is_sent_once_after_stripe_answers_again(
    auth_client, api_client, fake_stripe, settings
):
    """Stripe takes the refund but answers too late, every time, then answers again: the retry with
    the same idempotency key gets that same refund back, so the buyer is refunded once."""
    from marketplace.tests.ordering_factories import paid_order, send_event
    from payment_system.payments.models import Refund

    buyer = UserFactory()
    product = OrderingProductFactory(price=Decimal("90.00"), stock_quantity=4)
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (product, 1))
    settings.STRIPE_TIMEOUT_SECONDS = 0.2
    hanging = [True]
    created = {}  # Stripe's refunds by idempotency key, as its idempotency keeps them

    def refunds(request, match):
        refund = created.setdefault(
            request.idempotency_key,
            {
                "id": f"re_test_hang_{len(created) + 1}",
                "object": "refund",
                "status": "pending",
                "amount": int(request.form["amount"]),
                "currency": order.currency.lower(),
                "payment_intent": request.form["payment_intent"],
                "metadata": {"refund_id": request.form.get("metadata[refund_id]")},
            },
        )
        if hanging[0]:
            time.sleep(0.6)  # made at Stripe, but the answer comes after the client gave up
        return 200, refund

    fake_stripe.on("POST", r"/v1/refunds", refunds)

    response = auth_client(buyer).post(
        f"/api/marketplace/orders/{order.pk}/cancel/", {"reason": "other"}, format="json"
    )

    assert response.status_code == 200, response.content  # the cancel stands; the refund waits
    refund = Refund.objects.get(order=order)
    assert refund.status == "pending" and not refund.provider_refund_id
    message = OutboxMessage.objects.get(key=f"refund-submit-{refund.pk}")
    assert message.done_at is None and "timed out" in message.last_error.lower(), message.last_error
    assert list(created) == [refund.idempotency_key]  # every try so far carried the one key

    hanging[0] = False  # Stripe answers again
    settings.OUTBOX_REDELIVER_AFTER_MINUTES = 0  # the redelivery window has passed
    assert outbox_relay_pending() == 1
    assert outbox_relay_pending() == 0  # done: a later relay sends nothing

    tried = fake_stripe.requests_to("POST", r"/v1/refunds")
    assert {request.idempotency_key for request in tried} == {refund.idempotency_key}
    assert len(created) == 1  # one refund at Stripe however many tries
    refund.refresh_from_db()
    assert (refund.status, refund.provider_refund_id) == ("requested", "re_test_hang_1")
    assert Refund.objects.filter(order=order).count() == 1
    message.refresh_from_db()
    assert message.done_at is not None
    # Stripe settles that one refund: the order ends refunded, the stock given back once.
    send_event(api_client, "refund.updated", {**created[refund.idempotency_key], "status": "succeeded"})
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("refunded", "refunded")
    assert Refund.objects.get(pk=refund.pk).status == "succeeded"
    assert Product.objects.get(pk=product.pk).stock_quantity == 4
