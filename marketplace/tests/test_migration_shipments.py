"""The data migration that gives every existing order one shipment per seller."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.ordering.models import Order, OrderItem, ReturnRequest, ReturnRequestItem, Shipment
from marketplace.tests.ordering_factories import OrderingProductFactory

pytestmark = pytest.mark.django_db
backfill = importlib.import_module("marketplace.migrations.0007_shipments_backfill")


def legacy_order(status, sellers, **fields):
    """An order as it was before shipments: totals on the order, items of several sellers."""
    order = Order.objects.create(
        buyer=UserFactory(),
        status=status,
        payment_status="paid",
        subtotal=Decimal("300.00"),
        shipping_cost=Decimal("25.00"),
        tax_amount=Decimal("30.01"),
        total_amount=Decimal("355.01"),
        **fields,
    )
    for seller, price in zip(sellers, (Decimal("100.00"), Decimal("200.00")), strict=True):
        product = OrderingProductFactory(seller=seller, price=price)
        OrderItem.objects.create(
            order=order,
            product=product,
            seller=seller,
            product_name=product.name,
            unit_price=price,
            quantity=1,
            total_price=price,
        )
    return order


def test_every_order_gets_a_shipment_per_seller_with_its_status_and_exact_parts():
    sellers = sorted([SellerFactory(), SellerFactory()], key=lambda s: str(s.pk))
    shipped_at = timezone.now()
    shipped = legacy_order(
        "shipped", sellers, tracking_number="1Z1", shipping_carrier="UPS", shipped_at=shipped_at
    )
    waiting = legacy_order("awaiting_shipment", sellers)
    returned = legacy_order("refunded", sellers, delivered_at=shipped_at, shipped_at=shipped_at)
    request = ReturnRequest.objects.create(order=returned, reason="defective")
    ReturnRequestItem.objects.create(return_request=request, order_item=returned.items.first(), quantity=1)

    backfill.forwards(apps, None)
    backfill.forwards(apps, None)  # a second run adds nothing

    assert Shipment.objects.count() == 6
    for order, status, fulfillment in (
        (shipped, "shipped", "shipped"),
        (waiting, "pending", "unfulfilled"),
        (returned, "returned", "delivered"),
    ):
        order.refresh_from_db()
        parts = list(order.shipments.order_by("pk"))
        assert [p.status for p in parts] == [status, status]
        assert order.fulfillment_status == fulfillment
        for name in ("subtotal", "shipping_cost", "tax_amount", "total_amount"):
            assert sum(getattr(p, name) for p in parts) == getattr(order, name)
        assert all(item.shipment.seller_id == item.seller_id for item in order.items.all())
    assert [p.tracking_number for p in shipped.shipments.all()] == ["1Z1", "1Z1"]
    request.refresh_from_db()
    assert request.shipment == returned.items.first().shipment
