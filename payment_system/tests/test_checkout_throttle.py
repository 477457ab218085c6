"""Checkout sessions are limited per user (issue 22): each start (E37) or retry (E39) may reserve
stock and opens a payment-provider session, so both spend one budget, THROTTLE_CHECKOUT."""

from decimal import Decimal

import pytest

from authentication.tests.factories import UserFactory
from marketplace.ordering.models import Order
from marketplace.tests.ordering_factories import OrderingProductFactory, fill_cart, route_checkout_sessions

pytestmark = pytest.mark.django_db

CHECKOUT = "/api/payments/checkout_session/"


@pytest.fixture
def checkout_rate(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "checkout": "3/hour"},
    }


def test_the_default_rate_is_per_hour():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["checkout"] == "20/hour"


def test_checkout_start_and_retry_share_a_per_user_budget(auth_client, fake_stripe, checkout_rate):
    sessions = route_checkout_sessions(fake_stripe)

    def retrieve(request, match):  # the retry finds its session still open
        return 200, next(session for session in sessions.values() if session["id"] == match.group(1))

    fake_stripe.on("GET", r"/v1/checkout/sessions/(cs_test_\d+)", retrieve)
    buyer, other = UserFactory(), UserFactory()
    chair = OrderingProductFactory(price=Decimal("40.00"), stock_quantity=50)
    client = auth_client(buyer)

    statuses = []
    for _ in range(2):
        fill_cart(buyer, (chair, 1))
        statuses.append(client.post(CHECKOUT).status_code)
    order = Order.objects.filter(buyer=buyer).latest("created_at")
    statuses.append(client.get(f"{CHECKOUT}retry/{order.pk}/").status_code)  # the third request
    assert statuses == [200, 200, 200]
    opened = len(sessions)

    fill_cart(buyer, (chair, 1))
    # A body naming someone else changes nothing: the budget is the signed-in user's.
    refused = client.post(CHECKOUT, {"email": "someone-else@example.com"}, format="json")
    refused_retry = client.get(f"{CHECKOUT}retry/{order.pk}/")

    assert refused.status_code == refused_retry.status_code == 429
    assert refused.json()["code"] == "throttled" and "Retry-After" in refused
    assert Order.objects.filter(buyer=buyer).count() == 2  # no order placed, no stock reserved
    assert len(sessions) == opened  # no session opened
    # Another buyer has their own budget.
    fill_cart(other, (chair, 1))
    assert auth_client(other).post(CHECKOUT).status_code == 200
