"""The platform webhook: signature, exactly-once storage, payment confirmation and its edge cases."""

import json
import time
from decimal import Decimal

import pytest
from django.db import OperationalError

from authentication.tests.factories import UserFactory
from marketplace.catalog.models import Product
from marketplace.ordering.models import Order
from marketplace.tests.ordering_factories import (
    OrderingProductFactory,
    completed_session,
    paid_order,
    pending_order,
    post_event,
    route_payment_fee,
    route_refunds,
    send_event,
)
from payment_system.payments.models import Payment, Refund, SellerTransaction
from payment_system.tests.fake_stripe import event, sign_webhook
from payment_system.webhooks.models import StripeWebhookEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pricing(settings):
    settings.SHIPPING_FLAT_RATE = Decimal("10.00")  # per seller group
    settings.FREE_SHIPPING_THRESHOLD = Decimal("1000.00")
    settings.TAX_DEFAULT_RATE = Decimal("0.10")
    settings.STRIPE_APPLICATION_FEE_PERCENT = Decimal("10")


@pytest.fixture
def buyer():
    return UserFactory()


@pytest.fixture
def two_seller_order(auth_client, buyer, fake_stripe):
    chair = OrderingProductFactory(price=Decimal("100.00"), stock_quantity=5)
    lamp = OrderingProductFactory(price=Decimal("50.00"), stock_quantity=5)
    order = pending_order(auth_client, buyer, fake_stripe, (chair, 2), (lamp, 2))
    # subtotal 300.00, shipping 2 x 10.00, tax 30.00, total 350.00
    assert order.total_amount == Decimal("350.00")
    return order, chair, lamp


def test_completed_session_confirms_order_and_records_payment(
    api_client, fake_stripe, two_seller_order, mailoutbox
):
    order, chair, lamp = two_seller_order
    route_payment_fee(fake_stripe, fee_minor=1045)

    response = send_event(api_client, "checkout.session.completed", completed_session(order))

    assert response.status_code == 200
    assert response.json() == {"received": True, "outcome": "processed"}
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("awaiting_shipment", "paid")
    assert order.paid_at is not None
    assert order.shipping_address == {
        "name": "Ada Maker",
        "address_line1": "12 Harbour Road",
        "address_line2": "Flat 3",
        "city": "Porto",
        "state": "",
        "postal_code": "4000-001",
        "country": "PT",
    }
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.amount, payment.payment_intent_id) == (
        "succeeded",
        Decimal("350.00"),
        f"pi_{str(order.pk)[:8]}",
    )
    assert payment.stripe_fee == Decimal("10.45")
    rows = {row.seller_id: row for row in SellerTransaction.objects.filter(order=order)}
    chair_row, lamp_row = rows[chair.seller_id], rows[lamp.seller_id]
    # Each seller's share is their shipment: items + their shipping + their tax; fee 10 %; Stripe
    # fee split by gross.
    assert (chair_row.gross_amount, chair_row.platform_fee) == (Decimal("230.00"), Decimal("23.00"))
    assert (lamp_row.gross_amount, lamp_row.platform_fee) == (Decimal("120.00"), Decimal("12.00"))
    assert chair_row.shipment == order.shipments.get(seller_id=chair.seller_id)
    assert chair_row.stripe_fee + lamp_row.stripe_fee == Decimal("10.45")
    assert chair_row.net_amount == chair_row.gross_amount - chair_row.platform_fee - chair_row.stripe_fee
    assert {chair_row.status, lamp_row.status} == {"pending"}
    assert chair_row.held_until is None
    [fee_request] = fake_stripe.requests_to("GET", r"/v1/payment_intents/.*")
    assert fee_request.query == {"expand[0]": "latest_charge.balance_transaction"}
    # the buyer's receipt, then each seller's new shipment
    assert sorted(m.to[0] for m in mailoutbox[1:]) == sorted([chair.seller.email, lamp.seller.email])
    assert [m.to for m in mailoutbox[:1]] == [[order.buyer.email]]
    assert "confirmed" in mailoutbox[0].subject


def test_event_delivered_five_times_is_applied_once(api_client, fake_stripe, two_seller_order, mailoutbox):
    order, chair, _ = two_seller_order
    body = event("checkout.session.completed", completed_session(order))

    outcomes = [post_event(api_client, body, expect=200).json()["outcome"] for _ in range(5)]

    assert outcomes == ["processed", "duplicate", "duplicate", "duplicate", "duplicate"]
    assert StripeWebhookEvent.objects.filter(event_id=body["id"]).count() == 1
    assert SellerTransaction.objects.filter(order=order).count() == 2
    assert len(mailoutbox) == 3  # the receipt and one e-mail per seller
    order.refresh_from_db()
    assert order.status == "awaiting_shipment"
    assert Product.objects.get(pk=chair.pk).stock_quantity == 3


@pytest.mark.parametrize(
    "header",
    [
        "",
        "t=1,v1=deadbeef",
        sign_webhook(json.dumps({"x": 1}), "whsec_test_platform"),  # a signature of another body
        "garbage",
    ],
    ids=["missing", "bad-hex", "other-body", "garbage"],
)
def test_bad_signature_is_400_and_changes_nothing(api_client, two_seller_order, header):
    order, _, _ = two_seller_order

    response = post_event(
        api_client, event("checkout.session.completed", completed_session(order)), signature=header
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert not StripeWebhookEvent.objects.exists()
    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_wrong_secret_or_stale_timestamp_is_400(api_client, two_seller_order):
    order, _, _ = two_seller_order
    payload = json.dumps(event("checkout.session.completed", completed_session(order)))

    wrong = post_event(api_client, json.loads(payload), secret="whsec_other")
    stale = api_client.post(
        "/api/payments/stripe_webhook/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_webhook(payload, "whsec_test_platform", timestamp=int(time.time()) - 3600),
    )

    assert (wrong.status_code, stale.status_code) == (400, 400)
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


@pytest.mark.parametrize(
    "change",
    [{"amount_minor": 34999}, {"currency": "eur"}],
)
def test_amount_or_currency_mismatch_flags_for_review(api_client, two_seller_order, change):
    order, _, _ = two_seller_order

    response = send_event(api_client, "checkout.session.completed", completed_session(order, **change))

    assert response.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.payment_status, order.needs_review) == ("pending_payment", "pending", True)
    assert "350.00" in order.review_reason
    assert Payment.objects.get(order=order).status == "pending"
    assert not SellerTransaction.objects.exists()


def test_a_second_payment_of_a_paid_order_is_given_back_and_leaves_the_order_alone(
    api_client, two_seller_order, fake_stripe
):
    """Two checkout sessions of one order were both paid: the second charge is refunded once,
    through its own payment intent, without touching the order's payment or the sellers' shares."""
    order, _, _ = two_seller_order
    route_refunds(fake_stripe, status="pending")
    assert send_event(api_client, "checkout.session.completed", completed_session(order)).status_code == 200
    shares = sorted(
        SellerTransaction.objects.filter(order=order).values_list("net_amount", "refunded_amount", "status")
    )
    second = {**completed_session(order, session_id="cs_second"), "payment_intent": "pi_second"}

    response = send_event(api_client, "checkout.session.completed", second)
    send_event(api_client, "checkout.session.completed", second)  # Stripe delivers it again

    assert response.json()["outcome"] == "processed"
    [request] = fake_stripe.requests_to("POST", r"/v1/refunds")
    assert (request.form["payment_intent"], request.form["amount"]) == ("pi_second", "35000")
    refund = Refund.objects.get(order=order)
    assert (refund.payment_intent_id, refund.reason, refund.status) == (
        "pi_second",
        "duplicate_payment",
        "requested",
    )

    charge = {
        "id": "ch_second",
        "object": "charge",
        "amount": 35000,
        "amount_refunded": 35000,
        "currency": "usd",
        "payment_intent": "pi_second",
        "refunded": True,
    }
    assert send_event(api_client, "charge.refunded", charge).json()["outcome"] == "processed"

    assert Refund.objects.get(pk=refund.pk).status == "succeeded"
    dashboard = {"id": "re_dashboard", "object": "refund", "status": "succeeded", "amount": 1000}
    send_event(api_client, "refund.updated", {**dashboard, "currency": "usd", "payment_intent": "pi_second"})
    assert Refund.objects.get(provider_refund_id="re_dashboard").payment_intent_id == "pi_second"
    order.refresh_from_db()
    assert (order.status, order.payment_status, order.needs_review) == ("awaiting_shipment", "paid", False)
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.amount_refunded) == ("succeeded", Decimal("0.00"))
    assert payment.payment_intent_id == f"pi_{str(order.pk)[:8]}"
    assert (
        sorted(
            SellerTransaction.objects.filter(order=order).values_list(
                "net_amount", "refunded_amount", "status"
            )
        )
        == shares
    )


def test_unpaid_completion_waits_for_async_payment(api_client, two_seller_order):
    order, _, _ = two_seller_order

    response = send_event(
        api_client, "checkout.session.completed", completed_session(order, payment_status="unpaid")
    )

    assert response.json()["outcome"] == "ignored"
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


def test_unknown_order_is_acknowledged_and_ignored(api_client, two_seller_order):
    order, _, _ = two_seller_order
    session = completed_session(order, session_id="cs_unknown")
    session["metadata"] = {"order_id": "9b2f8a1e-0000-4000-8000-000000000000"}
    session["client_reference_id"] = None

    response = send_event(api_client, "checkout.session.completed", session)

    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
    assert StripeWebhookEvent.objects.get().note == "unknown order"
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    assert not Payment.objects.filter(status="succeeded").exists()


def test_failed_attempt_keeps_order_payable_and_success_after_failure_wins(api_client, two_seller_order):
    order, _, _ = two_seller_order
    intent = {
        "id": f"pi_{str(order.pk)[:8]}",
        "object": "payment_intent",
        "metadata": {"order_id": str(order.pk)},
        "last_payment_error": {"message": "Your card was declined."},
    }

    send_event(api_client, "payment_intent.payment_failed", intent)
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("pending_payment", "failed")
    assert Payment.objects.get(order=order).last_error == "Your card was declined."

    send_event(api_client, "checkout.session.completed", completed_session(order))
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("awaiting_shipment", "paid")


def test_failure_arriving_after_success_changes_nothing(api_client, fake_stripe, buyer, auth_client):
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (OrderingProductFactory(), 1))
    intent = {
        "id": order.payment.payment_intent_id,
        "object": "payment_intent",
        "metadata": {"order_id": str(order.pk)},
    }

    response = send_event(api_client, "payment_intent.payment_failed", intent)

    assert response.json()["outcome"] == "ignored"
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("awaiting_shipment", "paid")
    assert Payment.objects.get(order=order).status == "succeeded"


def test_expired_session_releases_the_stock_but_does_not_cancel_the_order(
    api_client, auth_client, fake_stripe, two_seller_order
):
    order, chair, _ = two_seller_order
    session = {
        "id": order.payment.checkout_session_id,
        "object": "checkout.session",
        "status": "expired",
        "metadata": {"order_id": str(order.pk)},
    }

    response = send_event(api_client, "checkout.session.expired", session)

    assert response.json()["outcome"] == "processed"
    assert Payment.objects.get(order=order).status == "expired"
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
    assert Product.objects.get(pk=chair.pk).stock_quantity == 5  # the reservation ended with the session

    retry = auth_client(order.buyer).get(f"/api/payments/checkout_session/retry/{order.pk}/")  # pays later

    assert retry.status_code == 200
    assert Product.objects.get(pk=chair.pk).stock_quantity == 3  # held again for the new session
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.session_attempt) == ("pending", 2)
    assert payment.checkout_session_id != session["id"]
    assert fake_stripe.requests_to("GET", r"/v1/checkout/sessions/.+") == []  # known to be expired
    assert fake_stripe.requests_to("POST", r"/v1/checkout/sessions/.+/expire") == []


def test_dispute_flags_the_order(api_client, fake_stripe, buyer, auth_client):
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (OrderingProductFactory(), 1))
    dispute = {
        "id": "dp_1",
        "object": "dispute",
        "payment_intent": order.payment.payment_intent_id,
        "reason": "fraudulent",
        "amount": 100,
    }

    send_event(api_client, "charge.dispute.created", dispute)

    order.refresh_from_db()
    assert order.needs_review is True
    assert order.review_reason == "Dispute opened: fraudulent"


def test_transient_failure_answers_5xx_and_stores_nothing_so_stripe_retries(
    api_client, two_seller_order, monkeypatch
):
    order, _, _ = two_seller_order
    body = event("checkout.session.completed", completed_session(order))
    from payment_system.webhooks import services

    def deadlock(evt):
        raise OperationalError(1213, "Deadlock found when trying to get lock")

    monkeypatch.setitem(services.HANDLERS, "checkout.session.completed", deadlock)
    failed = post_event(api_client, body)
    monkeypatch.undo()
    retried = post_event(api_client, body)

    assert failed.status_code == 503
    assert retried.status_code == 200
    assert retried.json()["outcome"] == "processed"
    assert Order.objects.get(pk=order.pk).status == "awaiting_shipment"
