"""Issue 13's acceptance scenario through the real URLs: a two-seller order, shipped and delivered
per seller, shipping priced by profile per seller group."""

from decimal import Decimal

import pytest

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.ordering.models import Order, Shipment
from marketplace.tests.ordering_factories import (
    OrderingProductFactory,
    completed_session,
    route_checkout_sessions,
    send_event,
)
from payment_system.payments.models import SellerTransaction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eu_vat_rates")]
ORDERS = "/api/marketplace/orders/"
PROFILES = "/api/marketplace/shipping-profiles/"


@pytest.fixture(autouse=True)
def pricing(settings):
    settings.SHIPPING_FLAT_RATE = Decimal("25.00")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("500.00")
    settings.TAX_DEFAULT_RATE = Decimal("0.10")
    settings.PAYMENT_HOLD_DAYS = 7


def furniture_profile(client):
    response = client.post(
        PROFILES,
        {
            "name": "Furniture",
            "processing_days_min": 20,
            "processing_days_max": 30,
            "zones": [
                {"name": "Portugal", "countries": ["PT"], "base_price": "80.00", "price_per_kg": "2.00"}
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_two_sellers_ship_and_deliver_their_own_parts(auth_client, api_client, fake_stripe, mailoutbox):
    maker, potter, buyer = SellerFactory(), SellerFactory(), UserFactory()
    sofa = OrderingProductFactory(
        seller=maker, name="Sofa", slug="sofa", price=Decimal("900.00"), stock_quantity=2
    )
    cup = OrderingProductFactory(seller=potter, name="Cup", price=Decimal("30.00"), stock_quantity=5)
    profile = furniture_profile(auth_client(maker))
    assert profile["is_default"] is True and isinstance(profile["id"], str)
    linked = auth_client(maker).patch(
        f"/api/marketplace/products/{sofa.slug}/",
        {"weight": "30.00", "shipping_profile": profile["id"]},
        format="json",
    )
    assert linked.status_code == 200, linked.content
    as_buyer = auth_client(buyer)
    for product in (sofa, cup):
        assert (
            as_buyer.post(
                "/api/marketplace/cart/add_item/", {"product_id": product.pk}, format="json"
            ).status_code
            == 200
        )

    cart = as_buyer.get("/api/marketplace/cart/?country=PT").json()
    groups = {group["seller_id"]: group for group in cart["shipping_groups"]}
    assert groups[str(maker.pk)]["shipping_cost"] == "140.00"  # 80.00 + 30 kg x 2.00
    assert (groups[str(maker.pk)]["processing_days_min"], groups[str(maker.pk)]["processing_days_max"]) == (
        20,
        30,
    )
    assert groups[str(potter.pk)]["shipping_cost"] == "25.00"  # the settings' flat rule
    assert cart["totals"] == {
        "subtotal": "930.00",
        "shipping_cost": "165.00",
        # issue 14: Portugal's VAT (23 %, from the VAT table) on items and shipping of each group
        "tax_amount": "251.85",
        "discount_amount": "0.00",
        "total_amount": "1346.85",
    }

    route_checkout_sessions(fake_stripe)
    checkout = as_buyer.post("/api/payments/checkout_session/", {"country": "pt"}, format="json")
    assert checkout.status_code == 200, checkout.content
    order = Order.objects.get(pk=checkout.json()["order_id"])
    [session_request] = fake_stripe.requests_to("POST", r"/v1/checkout/sessions")
    assert session_request.form["shipping_address_collection[allowed_countries][0]"] == "PT"
    assert "shipping_address_collection[allowed_countries][1]" not in session_request.form
    assert order.total_amount == Decimal("1346.85")
    parts = {s.seller_id: s for s in order.shipments.all()}
    assert (parts[maker.pk].shipping_cost, parts[maker.pk].total_amount) == (
        Decimal("140.00"),
        Decimal("1279.20"),  # 900 + 140 + 23 % VAT (239.20)
    )
    assert sum(s.total_amount for s in parts.values()) == order.total_amount
    assert parts[maker.pk].ships_by is not None
    assert send_event(api_client, "checkout.session.completed", completed_session(order)).status_code == 200

    first = auth_client(maker).patch(
        f"{ORDERS}{order.pk}/update_shipping/",
        {"shipping_carrier": "CTT", "tracking_number": "T1-00001"},
        format="json",
    )
    assert (first.status_code, first.json()["status"]) == (200, "shipped")  # the maker's own part
    buyer_view = as_buyer.get(f"{ORDERS}{order.pk}/").json()
    assert (buyer_view["status"], buyer_view["fulfillment_status"]) == (
        "awaiting_shipment",
        "partially_shipped",
    )
    assert buyer_view["tracking_number"] == "T1-00001"

    second = auth_client(potter).patch(
        f"{ORDERS}{order.pk}/update_shipping/",
        {"shipping_carrier": "UPS", "tracking_number": "T2-00002"},
        format="json",
    )
    assert second.status_code == 200, second.content
    buyer_view = as_buyer.get(f"{ORDERS}{order.pk}/").json()
    assert (buyer_view["status"], buyer_view["fulfillment_status"]) == ("shipped", "shipped")
    assert {s["tracking_number"] for s in buyer_view["shipments"]} == {"T1-00001", "T2-00002"}

    sofa_shipment = Shipment.objects.get(order=order, seller=maker)
    confirmed = as_buyer.post(f"/api/marketplace/shipments/{sofa_shipment.pk}/confirm_delivery/")
    assert (confirmed.status_code, confirmed.json()["status"]) == (200, "delivered")
    assert dict(order.shipments.values_list("seller_id", "status")) == {
        maker.pk: "delivered",
        potter.pk: "shipped",
    }
    rows = {row.seller_id: row for row in SellerTransaction.objects.filter(order=order)}
    assert rows[maker.pk].status == "held" and rows[maker.pk].held_until is not None
    assert (rows[potter.pk].status, rows[potter.pk].held_until) == ("pending", None)
    order.refresh_from_db()
    assert (order.status, order.fulfillment_status) == ("shipped", "partially_delivered")
    # each seller was told of their paid shipment; the buyer of each parcel shipped (with the link)
    assert {m.to[0] for m in mailoutbox if "to ship" in m.subject} == {maker.email, potter.email}
    shipped = [m for m in mailoutbox if "on its way" in m.subject]
    assert len(shipped) == 2 and any("https://www.ups.com/track?tracknum=T2-00002" in m.body for m in shipped)
