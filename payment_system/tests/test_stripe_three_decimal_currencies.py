"""Stripe takes a three-decimal currency (KWD, BHD, JOD, OMR, TND) in its minor unit, the fils (x1000),
in tens of it: the checkout session of a KWD order asks Stripe for the order's total, not a tenth of it."""

from decimal import Decimal

import pytest

from authentication.tests.factories import UserFactory
from marketplace.ordering.models import Order
from marketplace.tests.ordering_factories import OrderingProductFactory, fill_cart, route_checkout_sessions

pytestmark = pytest.mark.django_db

CHECKOUT = "/api/payments/checkout_session/"


def test_a_kwd_order_is_charged_in_fils(auth_client, fake_stripe, settings):
    settings.SHIPPING_FLAT_RATE = Decimal("2.00")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("500.00")
    settings.TAX_RATE = Decimal("0")
    route_checkout_sessions(fake_stripe)
    buyer = UserFactory()
    lamp = OrderingProductFactory(price=Decimal("12.50"), currency="KWD", stock_quantity=3, name="Brass Lamp")
    fill_cart(buyer, (lamp, 2))

    response = auth_client(buyer).post(CHECKOUT)

    assert response.status_code == 200
    order = Order.objects.get(buyer=buyer)
    assert order.currency == "KWD"
    [request] = fake_stripe.requests_to("POST", r"/v1/checkout/sessions")
    form = request.form
    count = sum(1 for key in form if key.endswith("[price_data][unit_amount]"))
    lines = {
        form[f"line_items[{i}][price_data][product_data][name]"]: (
            int(form[f"line_items[{i}][price_data][unit_amount]"]),
            int(form[f"line_items[{i}][quantity]"]),
        )
        for i in range(count)
    }
    assert form["line_items[0][price_data][currency]"] == "kwd"
    assert lines["Brass Lamp"] == (12500, 2)
    assert all(amount % 10 == 0 for amount, _ in lines.values())  # Stripe refuses single fils
    assert sum(amount * quantity for amount, quantity in lines.values()) == int(order.total_amount * 1000)
