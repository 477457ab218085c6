"""Acceptance scenarios F7–F11, F16, F17 and F25 (contract §10), through the real URLs.

Payment is completed the way production completes it: a signed ``checkout.session.completed``
webhook, with Stripe's API faked at the HTTP boundary.
"""

from decimal import Decimal

import pytest

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.catalog.models import Product
from marketplace.ordering.models import Order
from marketplace.tests.ordering_factories import (
    OrderingProductFactory,
    add_image,
    completed_session,
    paid_order,
    route_checkout_sessions,
    send_event,
)

pytestmark = pytest.mark.django_db
CART = "/api/marketplace/cart/"
ORDERS = "/api/marketplace/orders/"


@pytest.fixture
def buyer():
    return UserFactory(first_name="Bea", last_name="Buyer")


@pytest.fixture
def seller():
    return SellerFactory()


@pytest.fixture
def chair(seller):
    product = OrderingProductFactory(
        seller=seller, name="Oak Chair", price=Decimal("120.00"), stock_quantity=3
    )
    add_image(product)
    return product


def test_F07_add_to_cart_and_view_the_cart(auth_client, buyer, chair):
    client = auth_client(buyer)

    added = client.post(f"{CART}add_item/", {"product_id": chair.pk, "quantity": 1}, format="json")
    cart = client.get(CART)
    beyond = client.post(f"{CART}add_item/", {"product_id": chair.pk, "quantity": 3}, format="json")

    assert added.status_code == 200
    assert added.json()["items"][0]["quantity"] == 1
    assert cart.status_code == 200
    [line] = cart.json()["items"]
    assert line["quantity"] == 1
    assert {k: line["product"][k] for k in ("id", "name", "price", "stock_quantity")} == {
        "id": str(chair.pk),
        "name": "Oak Chair",
        "price": "120.00",
        "stock_quantity": 3,
    }
    assert line["product"]["primary_image"].startswith("http")
    assert line["product"]["is_in_stock"] is True
    assert beyond.status_code == 400
    assert beyond.json()["detail"] == "Not enough stock for Oak Chair: only 3 left."


def test_F08_change_a_quantity_and_remove_an_item(auth_client, buyer, chair):
    client = auth_client(buyer)
    lamp = OrderingProductFactory(name="Lamp")
    client.post(f"{CART}add_item/", {"product_id": chair.pk, "quantity": 1}, format="json")
    client.post(f"{CART}add_item/", {"product_id": lamp.pk, "quantity": 1}, format="json")

    plus = client.patch(f"{CART}update_item/", {"product_id": chair.pk, "quantity": 2}, format="json")
    minus = client.patch(f"{CART}update_item/", {"product_id": chair.pk, "quantity": 1}, format="json")
    trash = client.delete(f"{CART}remove_item/", data={"product_id": chair.pk}, format="json")

    assert (plus.status_code, minus.status_code, trash.status_code) == (200, 200, 200)
    assert {i["product"]["id"]: i["quantity"] for i in plus.json()["items"]} == {
        str(chair.pk): 2,
        str(lamp.pk): 1,
    }
    assert {i["product"]["id"]: i["quantity"] for i in minus.json()["items"]} == {
        str(chair.pk): 1,
        str(lamp.pk): 1,
    }
    assert [i["product"]["id"] for i in trash.json()["items"]] == [str(lamp.pk)]


def test_F09_checkout_creates_an_embedded_stripe_session(auth_client, buyer, chair, fake_stripe):
    route_checkout_sessions(fake_stripe)
    client = auth_client(buyer)
    client.post(f"{CART}add_item/", {"product_id": chair.pk, "quantity": 2}, format="json")

    checkout = client.post("/api/payments/checkout_session/")
    empty = client.post("/api/payments/checkout_session/")

    assert checkout.status_code == 200
    assert checkout.json()["clientSecret"].startswith("cs_test_")
    assert empty.status_code == 400
    assert empty.json()["error"] == "EMPTY_CART"
    assert empty.json()["detail"]
    [order] = client.get(f"{ORDERS}?page=1&page_size=10").json()["results"]
    assert order["status"] == "pending_payment"
    detail = client.get(f"{ORDERS}{order['id']}/").json()
    assert [(i["product_name"], i["unit_price"]) for i in detail["items"]] == [("Oak Chair", "120.00")]
    assert client.get(CART).json()["items"] == []
    assert Product.objects.get(pk=chair.pk).stock_quantity == 1
    [request] = fake_stripe.requests_to("POST", r"/v1/checkout/sessions")
    assert request.form["ui_mode"] == "embedded"
    assert request.form["return_url"].endswith(
        f"/checkout/confirmation/{order['id']}?order_id={order['id']}&session_id={{CHECKOUT_SESSION_ID}}"
    )


def test_F10_order_history_and_order_detail(auth_client, api_client, buyer, chair, fake_stripe):
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (chair, 1))
    client = auth_client(buyer)

    listing = client.get(f"{ORDERS}?page=1&page_size=10")
    detail = client.get(f"{ORDERS}{order.pk}/")

    assert listing.status_code == 200
    page = listing.json()
    assert {k: page[k] for k in ("count", "page", "page_size", "num_pages")} == {
        "count": 1,
        "page": 1,
        "page_size": 10,
        "num_pages": 1,
    }
    result = page["results"][0]
    assert {"id", "created_at", "status", "payment_status", "total_amount", "tracking_number"} <= set(result)
    assert {"id", "product_image", "product_name"} <= set(result["items"][0])
    body = detail.json()
    assert detail.status_code == 200
    assert (body["status"], body["payment_status"]) == ("awaiting_shipment", "paid")
    assert {"subtotal", "shipping_cost", "tax_amount", "discount_amount", "total_amount"} <= set(body)
    assert body["shipping_address"]["address_line1"] == "12 Harbour Road"
    assert body["shipping_address"]["address_line2"] == "Flat 3"
    assert body["items"][0]["product"] == {"id": str(chair.pk), "slug": chair.slug}


def test_F11_cancel_an_order(auth_client, api_client, buyer, chair, seller, fake_stripe):
    route_checkout_sessions(fake_stripe)
    client = auth_client(buyer)
    product_url = f"/api/marketplace/products/{chair.slug}/"
    stock_before = client.get(product_url).json()["stock_quantity"]
    client.post(f"{CART}add_item/", {"product_id": chair.pk, "quantity": 1}, format="json")
    order_id = client.post("/api/payments/checkout_session/").json()["order_id"]
    stock_reserved = client.get(product_url).json()["stock_quantity"]

    cancelled = client.post(f"{ORDERS}{order_id}/cancel/", {"reason": "changed_mind"}, format="json")
    reloaded = client.get(f"{ORDERS}{order_id}/")
    stock_after_cancel = client.get(product_url).json()["stock_quantity"]
    shipped_order = paid_order(auth_client, api_client, buyer, fake_stripe, (chair, 1))
    auth_client(seller).patch(
        f"{ORDERS}{shipped_order.pk}/update_shipping/",
        {"shipping_carrier": "UPS", "tracking_number": "1Z999AA1"},
        format="json",
    )
    refused = client.post(f"{ORDERS}{shipped_order.pk}/cancel/", {"reason": "changed_mind"}, format="json")

    assert cancelled.status_code == 200
    assert reloaded.json()["status"] == "cancelled"
    assert (stock_before, stock_reserved, stock_after_cancel) == (3, 2, 3)
    assert refused.status_code == 400
    assert refused.json()["detail"]
    assert Order.objects.get(pk=shipped_order.pk).status == "shipped"


def test_F16_seller_dashboard_and_analytics(auth_client, api_client, buyer, seller, chair, fake_stripe):
    paid_order(auth_client, api_client, buyer, fake_stripe, (chair, 2))
    client = auth_client(seller)

    analytics = client.get("/api/marketplace/seller/analytics/?period=month")
    status = client.get("/api/payments/stripe/account-status/")
    badge = client.get(f"{ORDERS}seller_orders/?page=1&page_size=1&status=awaiting_shipment")
    periods = {
        p: client.get(f"/api/marketplace/seller/analytics/?period={p}")
        for p in ("today", "week", "year", "all")
    }
    refused = auth_client(buyer).get("/api/marketplace/seller/analytics/?period=month")

    assert analytics.status_code == 200
    body = analytics.json()
    assert (body["total_revenue"], body["total_orders"], body["total_items_sold"]) == ("240.00", 1, 2)
    assert body["pending_fulfillment_count"] == badge.json()["count"] == 1
    assert body["top_products"][0]["id"] == str(chair.pk)
    assert body["recent_orders"][0]["buyer_username"] == buyer.username
    assert status.status_code == 200
    assert all(response.status_code == 200 for response in periods.values())
    assert periods["all"].json()["total_revenue"] == "240.00"
    assert refused.status_code == 403


def test_F17_seller_fulfils_an_order_and_buyer_sees_tracking(
    auth_client, api_client, buyer, seller, chair, fake_stripe
):
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (chair, 1))
    Order.objects.filter(pk=order.pk).update(buyer_notes="Leave at the door")
    client = auth_client(seller)

    all_orders = client.get(f"{ORDERS}seller_orders/?page=1&page_size=10")
    pending = client.get(f"{ORDERS}seller_orders/?page=1&page_size=10&status=awaiting_shipment")
    detail = client.get(f"{ORDERS}{order.pk}/")
    shipped = client.patch(
        f"{ORDERS}{order.pk}/update_shipping/",
        {"shipping_carrier": "UPS", "tracking_number": "1Z999AA10123456784", "carrier_code": "ups"},
        format="json",
    )
    refetched = client.get(f"{ORDERS}seller_orders/?page=1&page_size=10")
    buyer_view = auth_client(buyer).get(f"{ORDERS}{order.pk}/")

    assert [o["id"] for o in all_orders.json()["results"]] == [str(order.pk)]
    assert [o["id"] for o in pending.json()["results"]] == [str(order.pk)]
    assert detail.status_code == 200
    assert detail.json()["buyer"]["email"] == buyer.email
    assert detail.json()["buyer_notes"] == "Leave at the door"
    assert shipped.status_code == 200
    assert shipped.json()["status"] == "shipped"
    assert refetched.json()["results"][0]["status"] == "shipped"
    assert (buyer_view.json()["tracking_number"], buyer_view.json()["shipping_carrier"]) == (
        "1Z999AA10123456784",
        "UPS",
    )


def test_F25_return_request_for_a_delivered_order(auth_client, api_client, buyer, seller, chair, fake_stripe):
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (chair, 1))
    item_id = order.items.get().pk
    body = {
        "items": [{"itemId": item_id, "quantity": 1}],
        "reason": "defective",
        "comment": "Wobbly",
        "proof_images": [],
    }
    client = auth_client(buyer)

    not_delivered = client.post(f"{ORDERS}{order.pk}/return/", body, format="json")
    auth_client(seller).patch(
        f"{ORDERS}{order.pk}/update_shipping/",
        {"shipping_carrier": "UPS", "tracking_number": "1Z999AA1"},
        format="json",
    )
    client.post(f"{ORDERS}{order.pk}/confirm_delivery/")
    created = client.post(f"{ORDERS}{order.pk}/return/", body, format="json")

    assert not_delivered.status_code == 400
    assert not_delivered.json()["detail"]
    assert created.status_code == 201
    assert order.return_requests.get().items.get().quantity == 1


def test_F09_webhook_completes_the_checkout(auth_client, api_client, buyer, chair, fake_stripe):
    """F9's backend follow-up (§5.7): the signed webhook confirms the order and fills the address."""
    route_checkout_sessions(fake_stripe)
    client = auth_client(buyer)
    client.post(f"{CART}add_item/", {"product_id": chair.pk, "quantity": 1}, format="json")
    order = Order.objects.get(pk=client.post("/api/payments/checkout_session/").json()["order_id"])

    webhook = send_event(api_client, "checkout.session.completed", completed_session(order))

    assert webhook.status_code == 200, webhook.content
    body = client.get(f"{ORDERS}{order.pk}/").json()
    assert (body["status"], body["payment_status"]) == ("awaiting_shipment", "paid")
    assert body["shipping_address"]["city"] == "Porto"
