"""``make run``'s demo data: demo-buyer1 has a two-seller order half shipped; every demo order has
one shipment per seller; the demo shops have shipping profiles."""

import io

import pytest
from django.core.management import call_command

from authentication.models import User
from marketplace.ordering.models import Order
from marketplace.shipping.models import ShippingProfile

pytestmark = pytest.mark.django_db


def test_demo_buyer_has_a_half_shipped_two_seller_order(auth_client, settings):
    settings.DEBUG = True
    call_command("seed_demo", products=12, stdout=io.StringIO())
    call_command("seed_demo", products=12, stdout=io.StringIO())  # idempotent

    buyer = User.objects.get(email="demo-buyer1@designia.local")
    orders = auth_client(buyer).get("/api/marketplace/orders/?page=1&page_size=10").json()["results"]
    [half] = [o for o in orders if o["fulfillment_status"] == "partially_shipped"]

    assert half["status"] == "awaiting_shipment"
    assert sorted(s["status"] for s in half["shipments"]) == ["pending", "shipped"]
    assert len({s["seller_id"] for s in half["shipments"]}) == 2
    assert half["tracking_number"] is not None
    assert sum(float(s["total_amount"]) for s in half["shipments"]) == pytest.approx(
        float(half["total_amount"])
    )
    for order in Order.objects.all():
        assert order.shipments.count() == len({item.seller_id for item in order.items.all()})
        assert not order.items.filter(shipment__isnull=True).exists()
    assert (
        ShippingProfile.objects.filter(seller__email__startswith="demo-seller", is_default=True).count() == 3
    )
