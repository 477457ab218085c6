from decimal import Decimal

import pytest

from authentication import gdpr
from authentication.tests.factories import UserFactory
from marketplace.ordering.models import CartItem, Order
from marketplace.tests.ordering_factories import OrderingProductFactory, fill_cart, paid_order

pytestmark = pytest.mark.django_db


def exported_total(exported):
    return Decimal(exported["total_amount"])


def test_export_and_erase_of_orders_and_cart(auth_client, api_client, fake_stripe):
    buyer = UserFactory()
    order = paid_order(
        auth_client, api_client, buyer, fake_stripe, (OrderingProductFactory(price=Decimal("10.00")), 2)
    )
    fill_cart(buyer, (OrderingProductFactory(name="Stool"), 1))

    sections = gdpr.collect_sections(buyer)

    [exported] = sections["orders"]
    assert (exported["id"], exported["status"], exported["items"][0]["quantity"]) == (
        str(order.pk),
        "awaiting_shipment",
        2,
    )
    assert exported["shipping_address"]["city"] == "Porto"
    assert (exported["items"][0]["sku"], exported["items"][0]["variant_label"]) == ("", "")
    assert sections["cart"] == [
        {
            "product_id": sections["cart"][0]["product_id"],
            "product_name": "Stool",
            "variant": "",
            "quantity": 1,
        }
    ]

    Order.objects.filter(pk=order.pk).update(status="delivered")
    gdpr.run_erasers(buyer)

    order.refresh_from_db()
    assert order.shipping_address == {}
    assert order.total_amount == exported_total(exported)  # financial data stays
    assert not CartItem.objects.filter(cart__user=buyer).exists()
