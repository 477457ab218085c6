"""Prometheus sees the business happen: scrape /metrics around a real checkout (E37) and its
Stripe webhook, through the real URLs, with Stripe faked at the HTTP boundary."""

from decimal import Decimal

import pytest
from prometheus_client.parser import text_string_to_metric_families

from authentication.tests.factories import UserFactory
from marketplace.ordering.models import Order
from marketplace.tests.ordering_factories import (
    OrderingProductFactory,
    completed_session,
    fill_cart,
    route_checkout_sessions,
    send_event,
)

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-for-the-checkout-test"
CHECKOUT = "/api/payments/checkout_session/"


def scrape(client):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", REMOTE_ADDR="203.0.113.50")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_metrics_after_a_checkout_show_the_business_counters_moving(
    client, api_client, auth_client, fake_stripe, settings
):
    settings.METRICS_TOKEN = TOKEN
    settings.SHIPPING_FLAT_RATE = Decimal("25.00")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("500.00")
    settings.TAX_DEFAULT_RATE = Decimal("0.10")
    route_checkout_sessions(fake_stripe)
    buyer = UserFactory()
    chair = OrderingProductFactory(price=Decimal("120.00"), stock_quantity=5)
    before = scrape(client)

    refused = auth_client(buyer).post(CHECKOUT)
    assert refused.status_code == 400
    assert refused.json()["error"] == "EMPTY_CART"
    fill_cart(buyer, (chair, 2))
    placed = auth_client(buyer).post(CHECKOUT)
    assert placed.status_code == 200
    order = Order.objects.get(pk=placed.json()["order_id"])
    assert order.total_amount == Decimal("289.00")  # 240 + 25 shipping + 24 tax
    paid = send_event(api_client, "checkout.session.completed", completed_session(order))
    assert paid.status_code == 200
    order.refresh_from_db()
    assert order.payment_status == "paid"

    after = scrape(client)

    def moved(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert moved("designia_checkout_failures_total", reason="empty_cart") == 1
    assert moved("designia_order_status_transitions_total", status="pending_payment") == 1
    assert moved("designia_order_status_transitions_total", status="payment_confirmed") == 1
    assert moved("designia_order_value_count", currency=order.currency) == 1
    assert moved("designia_order_value_sum", currency=order.currency) == pytest.approx(289.00)
    assert moved("designia_webhook_events_total", type="checkout.session.completed", outcome="processed") == 1
    assert moved("designia_http_requests_total", view="checkout-session", method="POST", status="400") == 1
    assert moved("designia_http_requests_total", view="checkout-session", method="POST", status="200") == 1
    assert moved("designia_http_request_duration_seconds_count", view="checkout-session", method="POST") == 2
    assert moved("designia_db_queries_total", view="checkout-session") > 0
    assert moved("designia_stock_reservation_conflicts_total") == 0
