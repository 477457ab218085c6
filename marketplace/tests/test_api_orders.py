"""Orders: buyer and seller views, shipping, delivery, the state machine, returns."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from authentication.tests.factories import SellerFactory, StaffFactory, UserFactory
from marketplace.catalog.models import Product
from marketplace.ordering.models import Order, ReturnRequest, Shipment
from marketplace.ordering.services.shipments import shipments_auto_deliver
from marketplace.tests.ordering_factories import OrderingProductFactory, add_image, paid_order, route_refunds
from payment_system.payments.models import Payment, Refund, SellerTransaction

pytestmark = pytest.mark.django_db
ORDERS = "/api/marketplace/orders/"


@pytest.fixture(autouse=True)
def pricing(settings):
    settings.SHIPPING_FLAT_RATE = Decimal("30.00")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("0")
    settings.TAX_DEFAULT_RATE = Decimal("0.10")
    settings.PAYMENT_HOLD_DAYS = 7
    settings.ORDER_AUTO_DELIVER_DAYS = 14
    settings.RETURN_WINDOW_DAYS = 30


@pytest.fixture
def buyer():
    return UserFactory(first_name="Bea", last_name="Buyer")


@pytest.fixture
def sellers():
    return SellerFactory(), SellerFactory()


@pytest.fixture
def order(auth_client, api_client, buyer, sellers, fake_stripe):
    """Paid: 2 x 100.00 from the first seller, 1 x 100.00 from the second (subtotal 300, shipping
    30 per seller, tax 30)."""
    chair = OrderingProductFactory(seller=sellers[0], price=Decimal("100.00"), stock_quantity=5)
    desk = OrderingProductFactory(seller=sellers[1], price=Decimal("100.00"), stock_quantity=5)
    add_image(chair)
    return paid_order(auth_client, api_client, buyer, fake_stripe, (chair, 2), (desk, 1))


def ship(auth_client, seller, order, **data):
    body = {"shipping_carrier": "UPS", "tracking_number": "1Z999AA10123456784", **data}
    return auth_client(seller).patch(f"{ORDERS}{order.pk}/update_shipping/", body, format="json")


def test_buyer_list_is_paginated_newest_first_and_private(auth_client, buyer, order):
    other = auth_client(UserFactory()).get(f"{ORDERS}?page=1&page_size=10")
    response = auth_client(buyer).get(f"{ORDERS}?page=1&page_size=10")

    assert other.json()["count"] == 0
    body = response.json()
    assert {k: body[k] for k in ("count", "page", "page_size", "num_pages")} == {
        "count": 1,
        "page": 1,
        "page_size": 10,
        "num_pages": 1,
    }
    [result] = body["results"]
    assert result["id"] == str(order.pk)
    assert (result["status"], result["payment_status"], result["total_amount"]) == (
        "awaiting_shipment",
        "paid",
        "390.00",
    )
    assert result["tracking_number"] is None
    assert [item["product_name"] for item in result["items"]] == [i.product_name for i in order.items.all()]


def test_buyer_detail_has_full_contract_shape(auth_client, buyer, order):
    body = auth_client(buyer).get(f"{ORDERS}{order.pk}/").json()

    assert {
        k: body[k] for k in ("subtotal", "shipping_cost", "tax_amount", "discount_amount", "total_amount")
    } == {
        "subtotal": "300.00",
        "shipping_cost": "60.00",
        "tax_amount": "30.00",
        "discount_amount": "0.00",
        "total_amount": "390.00",
    }
    [item] = [line for line in body["items"] if line["quantity"] == 2]  # the chair
    assert item["product"] == {
        "id": item["product"]["id"],
        "slug": Product.objects.get(pk=item["product"]["id"]).slug,
    }
    assert item["product_image"].startswith("http")
    assert (item["quantity"], item["unit_price"], item["total_price"]) == (2, "100.00", "200.00")
    assert body["shipping_address"]["address_line1"] == "12 Harbour Road"
    assert body["buyer"]["email"] == buyer.email
    assert (body["tracking_number"], body["shipping_carrier"]) == (None, None)


def test_pending_order_has_empty_address_object_never_null(auth_client, buyer, fake_stripe):
    from marketplace.tests.ordering_factories import pending_order

    order = pending_order(auth_client, buyer, fake_stripe, (OrderingProductFactory(), 1))

    address = auth_client(buyer).get(f"{ORDERS}{order.pk}/").json()["shipping_address"]

    assert address == dict.fromkeys(
        ("name", "address_line1", "address_line2", "city", "state", "postal_code", "country"), ""
    )


def test_seller_sees_only_own_items_and_share(auth_client, sellers, buyer, order):
    body = auth_client(sellers[1]).get(f"{ORDERS}{order.pk}/").json()

    assert len(body["items"]) == 1
    assert body["items"][0]["quantity"] == 1
    assert (body["subtotal"], body["shipping_cost"], body["tax_amount"], body["total_amount"]) == (
        "100.00",
        "30.00",
        "10.00",
        "140.00",
    )
    assert body["buyer"] == {
        "id": str(buyer.pk),
        "first_name": "Bea",
        "last_name": "Buyer",
        "username": buyer.username,
        "email": buyer.email,
    }


def test_strangers_get_404(auth_client, order):
    assert auth_client(SellerFactory()).get(f"{ORDERS}{order.pk}/").status_code == 404
    assert auth_client(UserFactory()).get(f"{ORDERS}{order.pk}/").status_code == 404


def test_seller_list_filters_awaiting_shipment_including_payment_confirmed(auth_client, sellers, order):
    Order.objects.filter(pk=order.pk).update(status="payment_confirmed")
    client = auth_client(sellers[0])

    pending = client.get(f"{ORDERS}seller_orders/?page=1&page_size=1&status=awaiting_shipment").json()
    shipped = client.get(f"{ORDERS}seller_orders/?status=shipped").json()

    assert pending["count"] == 1
    assert pending["results"][0]["shipping_address"]["city"] == "Porto"
    assert pending["results"][0]["buyer"]["first_name"] == "Bea"
    assert len(pending["results"][0]["items"]) == 1
    assert shipped["count"] == 0


def test_seller_list_needs_seller_role(auth_client, buyer):
    response = auth_client(buyer).get(f"{ORDERS}seller_orders/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_update_shipping_ships_and_buyer_sees_tracking(auth_client, sellers, buyer, order, mailoutbox):
    response = ship(auth_client, sellers[0], order, carrier_code="ups")

    assert response.status_code == 200
    assert response.json()["status"] == "shipped"
    body = auth_client(buyer).get(f"{ORDERS}{order.pk}/").json()
    assert (body["tracking_number"], body["shipping_carrier"]) == ("1Z999AA10123456784", "UPS")
    email = mailoutbox[-1]
    assert "on its way" in email.subject
    assert (
        "Good news: your order has shipped." in email.body
        and "Tracking number: 1Z999AA10123456784" in email.body
    )
    assert "Good news: your order has shipped." in email.alternatives[0][0]


@pytest.mark.parametrize(
    ("data", "field"),
    [({"shipping_carrier": "U"}, "shipping_carrier"), ({"tracking_number": "1Z9"}, "tracking_number")],
)
def test_update_shipping_validates_input(auth_client, sellers, order, data, field):
    response = ship(auth_client, sellers[0], order, **data)

    assert response.status_code == 400
    assert field in response.json()
    assert Order.objects.get(pk=order.pk).status == "awaiting_shipment"


def test_update_shipping_refused_for_other_seller_and_wrong_status(auth_client, sellers, order):
    stranger = ship(auth_client, SellerFactory(), order)
    ship(auth_client, sellers[0], order)
    corrected = ship(auth_client, sellers[0], order, tracking_number="1Z999AA10999999999")
    auth_client(order.buyer).post(f"{ORDERS}{order.pk}/confirm_delivery/")
    after_delivery = ship(auth_client, sellers[0], order, tracking_number="1Z999AA10000000000")

    assert stranger.status_code == 403
    assert (corrected.status_code, corrected.json()["tracking_number"]) == (200, "1Z999AA10999999999")
    assert after_delivery.status_code == 409
    assert after_delivery.json()["detail"] == "A shipment that is delivered cannot change its tracking."
    assert Shipment.objects.get(order=order, seller=sellers[0]).tracking_number == "1Z999AA10999999999"


def test_confirm_delivery_starts_payout_hold_and_illegal_transition_is_409(
    auth_client, sellers, buyer, order
):
    early = auth_client(buyer).post(f"{ORDERS}{order.pk}/confirm_delivery/")
    ship(auth_client, sellers[0], order)
    done = auth_client(buyer).post(f"{ORDERS}{order.pk}/confirm_delivery/")
    twice = auth_client(buyer).post(f"{ORDERS}{order.pk}/confirm_delivery/")

    assert early.status_code == 409
    assert early.json()["code"] == "illegal_transition"
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["fulfillment_status"]) == (
        "awaiting_shipment",
        "partially_delivered",
    )
    assert twice.status_code == 409
    delivered = Shipment.objects.get(order=order, seller=sellers[0])
    rows = {row.seller_id: row for row in SellerTransaction.objects.filter(order=order)}
    assert len(rows) == 2  # one per seller
    assert (rows[sellers[0].pk].status, rows[sellers[0].pk].held_until) == (
        "held",
        delivered.delivered_at + timedelta(days=7),
    )
    assert (rows[sellers[1].pk].status, rows[sellers[1].pk].held_until) == ("pending", None)


def test_auto_delivery_after_configured_days(auth_client, sellers, order):
    ship(auth_client, sellers[0], order)
    ship(auth_client, sellers[1], order)
    Shipment.objects.filter(seller=sellers[0]).update(shipped_at=timezone.now() - timedelta(days=15))

    assert shipments_auto_deliver() == 1
    assert shipments_auto_deliver() == 0
    assert Order.objects.get(pk=order.pk).fulfillment_status == "partially_delivered"
    assert set(order.shipments.values_list("seller_id", "status")) == {
        (sellers[0].pk, "delivered"),
        (sellers[1].pk, "shipped"),
    }
    Shipment.objects.filter(seller=sellers[1]).update(shipped_at=timezone.now() - timedelta(days=15))
    assert shipments_auto_deliver() == 1
    assert Order.objects.get(pk=order.pk).status == "delivered"


def test_cancel_refused_after_shipping_and_for_others(auth_client, sellers, buyer, order):
    stranger = auth_client(UserFactory()).post(
        f"{ORDERS}{order.pk}/cancel/", {"reason": "other"}, format="json"
    )
    bad_reason = auth_client(buyer).post(f"{ORDERS}{order.pk}/cancel/", {"reason": "bored"}, format="json")
    ship(auth_client, sellers[0], order)
    shipped = auth_client(buyer).post(f"{ORDERS}{order.pk}/cancel/", {"reason": "other"}, format="json")

    assert stranger.status_code == 404
    assert bad_reason.status_code == 400
    assert "reason" in bad_reason.json()
    assert shipped.status_code == 400
    assert (
        shipped.json()["detail"] == "Part of this order has already shipped; it can no longer be cancelled."
    )
    assert Order.objects.get(pk=order.pk).status == "awaiting_shipment"
    assert sorted(order.shipments.values_list("status", flat=True)) == ["pending", "shipped"]


def deliver(auth_client, seller, buyer, order):
    ship(auth_client, seller, order)
    auth_client(buyer).post(f"{ORDERS}{order.pk}/confirm_delivery/")


def test_return_approved_refunds_items_with_tax_and_restocks(auth_client, sellers, buyer, order, fake_stripe):
    route_refunds(fake_stripe, status="succeeded")
    deliver(auth_client, sellers[0], buyer, order)
    chair_item = order.items.get(seller=sellers[0])
    stock_before = Product.objects.get(pk=chair_item.product_id).stock_quantity

    created = auth_client(buyer).post(
        f"{ORDERS}{order.pk}/return/",
        {
            "items": [{"itemId": chair_item.pk, "quantity": 1}],
            "reason": "defective",
            "comment": "Cracked leg",
            "proof_images": [],
        },
        format="json",
    )
    assert created.status_code == 201
    return_id = created.json()["id"]
    refused = auth_client(sellers[1]).post(f"/api/marketplace/returns/{return_id}/approve/")
    approved = auth_client(sellers[0]).post(
        f"/api/marketplace/returns/{return_id}/approve/", {"note": "ok"}, format="json"
    )

    assert refused.status_code == 403
    assert approved.status_code == 200
    assert approved.json()["refund_amount"] == "110.00"
    assert Product.objects.get(pk=chair_item.product_id).stock_quantity == stock_before + 1
    [request] = fake_stripe.requests_to("POST", r"/v1/refunds")
    assert request.form["amount"] == "11000"
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.amount_refunded) == ("partially_refunded", Decimal("110.00"))
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("awaiting_shipment", "paid")
    assert Refund.objects.get(order=order).shipment == chair_item.shipment
    assert ReturnRequest.objects.get(pk=return_id).shipment == chair_item.shipment
    chair_row = SellerTransaction.objects.get(order=order, seller=sellers[0])
    assert chair_row.refunded_amount == Decimal("110.00")
    assert SellerTransaction.objects.get(order=order, seller=sellers[1]).refunded_amount == Decimal("0.00")
    again = auth_client(sellers[0]).post(f"/api/marketplace/returns/{return_id}/approve/")
    assert again.status_code == 409
    assert Refund.objects.filter(order=order).count() == 1


def test_return_rejected_by_staff_changes_nothing(auth_client, sellers, buyer, order, fake_stripe):
    deliver(auth_client, sellers[0], buyer, order)
    item = order.items.get(seller=sellers[0])
    return_id = (
        auth_client(buyer)
        .post(
            f"{ORDERS}{order.pk}/return/",
            {"items": [{"itemId": item.pk, "quantity": 1}], "reason": "other"},
            format="json",
        )
        .json()["id"]
    )

    response = auth_client(StaffFactory()).post(f"/api/marketplace/returns/{return_id}/reject/")

    assert response.status_code == 200
    assert ReturnRequest.objects.get(pk=return_id).status == "rejected"
    assert not Refund.objects.exists()


@pytest.mark.parametrize(
    ("lines", "detail"),
    [
        (lambda item: [{"itemId": item.pk, "quantity": 3}], "You can return at most 2 of"),
        (lambda item: [{"itemId": 999999, "quantity": 1}], "is not part of this order"),
    ],
)
def test_return_refuses_unknown_items_and_excess_quantities(
    auth_client, sellers, buyer, order, lines, detail
):
    deliver(auth_client, sellers[0], buyer, order)
    item = order.items.get(quantity=2)

    response = auth_client(buyer).post(
        f"{ORDERS}{order.pk}/return/", {"items": lines(item), "reason": "defective"}, format="json"
    )

    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert not ReturnRequest.objects.exists()


def test_return_window_closes(auth_client, sellers, buyer, order):
    deliver(auth_client, sellers[0], buyer, order)
    Shipment.objects.filter(seller=sellers[0]).update(delivered_at=timezone.now() - timedelta(days=31))

    response = auth_client(buyer).post(
        f"{ORDERS}{order.pk}/return/",
        {"items": [{"itemId": order.items.get(seller=sellers[0]).pk, "quantity": 1}], "reason": "defective"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "The 30-day return window has closed."


def test_order_endpoints_query_counts_are_pinned(
    auth_client, api_client, buyer, sellers, fake_stripe, order, django_assert_max_num_queries
):
    for _ in range(4):
        paid_order(
            auth_client, api_client, buyer, fake_stripe, (OrderingProductFactory(seller=sellers[0]), 1)
        )

    # user, count, orders with buyers, items with products, shipments
    with django_assert_max_num_queries(6):
        assert len(auth_client(buyer).get(f"{ORDERS}?page=1&page_size=10").json()["results"]) == 5
    with django_assert_max_num_queries(6):
        assert auth_client(sellers[0]).get(f"{ORDERS}seller_orders/").json()["count"] == 5
    with django_assert_max_num_queries(5):
        assert auth_client(buyer).get(f"{ORDERS}{order.pk}/").status_code == 200


def test_order_photos_from_a_private_bucket_get_fresh_signed_urls(
    s3_storage, auth_client, api_client, buyer, sellers, fake_stripe
):
    """The order keeps the photo's storage name; each read signs a new URL that loads the bytes."""
    import requests
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    chair = OrderingProductFactory(seller=sellers[0], price=Decimal("100.00"), stock_quantity=5)
    name = default_storage.save("products/order-photo.jpg", ContentFile(b"\xff\xd8 photo bytes"))
    add_image(chair, name=name)
    order = paid_order(auth_client, api_client, buyer, fake_stripe, (chair, 1))

    assert order.items.get().product_image == name
    url = auth_client(buyer).get(f"/api/marketplace/orders/{order.pk}/").json()["items"][0]["product_image"]
    assert url.startswith(s3_storage.meta.endpoint_url) and "X-Amz-Signature=" in url
    assert requests.get(url, timeout=10).content == b"\xff\xd8 photo bytes"
