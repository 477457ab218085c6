"""Shipments through the API: each seller's own part, the state machine's refusals (nothing
changed), a seller's cancel refunded and restocked exactly once, the seller's order list, the
events each side is told at once."""

from decimal import Decimal

import pytest

from authentication.tests.factories import SellerFactory
from marketplace.catalog.models import Product
from marketplace.ordering.models import Order, Shipment
from marketplace.tests.ordering_factories import OrderingProductFactory, paid_order, route_refunds
from payment_system.payments.models import Payment, Refund, SellerTransaction

pytestmark = pytest.mark.django_db
ORDERS = "/api/marketplace/orders/"
SHIPMENTS = "/api/marketplace/shipments/"
TRACKING = {"shipping_carrier": "UPS", "tracking_number": "1Z999AA10123456784"}


@pytest.fixture(autouse=True)
def pricing(settings):
    settings.SHIPPING_FLAT_RATE = Decimal("10.00")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("0")
    settings.TAX_DEFAULT_RATE = Decimal("0.10")


@pytest.fixture
def sellers():
    return SellerFactory(), SellerFactory()


@pytest.fixture
def order(auth_client, api_client, sellers, fake_stripe):
    from authentication.tests.factories import UserFactory

    chair = OrderingProductFactory(seller=sellers[0], price=Decimal("100.00"), stock_quantity=5)
    lamp = OrderingProductFactory(seller=sellers[1], price=Decimal("50.00"), stock_quantity=5)
    return paid_order(auth_client, api_client, UserFactory(), fake_stripe, (chair, 1), (lamp, 2))


def part(order, seller):
    return Shipment.objects.get(order=order, seller=seller)


def state(order):
    """Everything a refused request must leave as it was."""
    order = Order.objects.get(pk=order.pk)
    return (
        (order.status, order.fulfillment_status, order.tracking_number),
        sorted(order.shipments.values_list("pk", "status", "tracking_number", "stock_released")),
        sorted(Product.objects.filter(order_items__order=order).values_list("pk", "stock_quantity")),
        Refund.objects.filter(order=order).count(),
        sorted(SellerTransaction.objects.filter(order=order).values_list("pk", "status", "held_until")),
    )


def test_shipments_are_listed_with_string_ids_and_parts_add_up(auth_client, order, sellers):
    body = auth_client(order.buyer).get(f"{ORDERS}{order.pk}/").json()
    seller_body = auth_client(sellers[1]).get(f"{ORDERS}{order.pk}/").json()

    assert body["fulfillment_status"] == "unfulfilled"
    assert len(body["shipments"]) == 2 and all(isinstance(s["id"], str) for s in body["shipments"])
    assert sum(Decimal(s["total_amount"]) for s in body["shipments"]) == Decimal(body["total_amount"])
    [own] = seller_body["shipments"]
    assert (own["seller_id"], own["subtotal"], own["shipping_cost"], own["total_amount"]) == (
        str(sellers[1].pk),
        "100.00",
        "10.00",
        "120.00",
    )
    assert seller_body["total_amount"] == "120.00"
    assert own["item_ids"] == [str(item["id"]) for item in seller_body["items"]]


@pytest.mark.parametrize(
    ("who", "how", "status"),
    [
        (
            "other_seller",
            lambda c, s: c.patch(f"{SHIPMENTS}{s.pk}/update_shipping/", TRACKING, format="json"),
            404,
        ),
        ("other_seller", lambda c, s: c.post(f"{SHIPMENTS}{s.pk}/cancel/"), 404),
        (
            "stranger",
            lambda c, s: c.patch(f"{SHIPMENTS}{s.pk}/update_shipping/", TRACKING, format="json"),
            404,
        ),
        ("buyer", lambda c, s: c.post(f"{SHIPMENTS}{s.pk}/confirm_delivery/"), 409),  # not shipped yet
        (
            "owner",
            lambda c, s: c.patch(
                f"{SHIPMENTS}{s.pk}/update_shipping/", {"shipping_carrier": "U"}, format="json"
            ),
            400,
        ),
        ("owner", lambda c, s: c.patch(f"{SHIPMENTS}999999/update_shipping/", TRACKING, format="json"), 404),
        ("owner", lambda c, s: c.post(f"{SHIPMENTS}{s.pk}/cancel/", {"reason": "bored"}, format="json"), 400),
    ],
)
def test_refused_shipment_requests_change_nothing(auth_client, order, sellers, who, how, status):
    shipment = part(order, sellers[0])
    users = {
        "other_seller": sellers[1],
        "stranger": SellerFactory(),
        "buyer": order.buyer,
        "owner": sellers[0],
    }
    before = state(order)

    response = how(auth_client(users[who]), shipment)

    assert response.status_code == status
    assert {"detail", "code"} <= set(response.json()) or status == 400
    assert state(order) == before


def test_tracking_can_change_in_transit_but_not_after_delivery(auth_client, order, sellers):
    shipment = part(order, sellers[0])
    seller = auth_client(sellers[0])
    shipped = seller.patch(f"{SHIPMENTS}{shipment.pk}/update_shipping/", TRACKING, format="json")
    corrected = seller.patch(
        f"{SHIPMENTS}{shipment.pk}/update_shipping/",
        {**TRACKING, "tracking_number": "1Z999AA10000000001"},
        format="json",
    )
    delivered = auth_client(order.buyer).post(f"{SHIPMENTS}{shipment.pk}/confirm_delivery/")
    before = state(order)

    late = seller.patch(f"{SHIPMENTS}{shipment.pk}/update_shipping/", TRACKING, format="json")
    twice = auth_client(order.buyer).post(f"{SHIPMENTS}{shipment.pk}/confirm_delivery/")
    cancel = seller.post(f"{SHIPMENTS}{shipment.pk}/cancel/")

    assert (shipped.status_code, shipped.json()["status"]) == (200, "shipped")
    assert shipped.json()["tracking_url"] == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    assert corrected.json()["tracking_number"] == "1Z999AA10000000001"
    assert delivered.json()["status"] == "delivered"
    assert [r.status_code for r in (late, twice, cancel)] == [409, 409, 409]
    assert {late.json()["code"], twice.json()["code"], cancel.json()["code"]} == {
        "illegal_shipment_transition"
    }
    assert state(order) == before


def test_a_sellers_cancel_refunds_their_part_and_restocks_exactly_once(
    auth_client, order, sellers, fake_stripe
):
    route_refunds(fake_stripe, status="succeeded")
    lamp_part = part(order, sellers[1])
    lamp = lamp_part.items.get().product

    first = auth_client(sellers[1]).post(
        f"{SHIPMENTS}{lamp_part.pk}/cancel/", {"reason": "cannot_ship"}, format="json"
    )
    again = auth_client(sellers[1]).post(f"{SHIPMENTS}{lamp_part.pk}/cancel/")

    assert (first.status_code, first.json()["status"]) == (200, "cancelled")
    assert again.status_code == 409
    assert Product.objects.get(pk=lamp.pk).stock_quantity == 5
    [refund] = Refund.objects.filter(order=order)
    assert (refund.amount, refund.shipment_id, refund.reason) == (
        Decimal("120.00"),
        lamp_part.pk,
        "shipment_cancelled",
    )
    [request] = fake_stripe.requests_to("POST", r"/v1/refunds")
    assert request.form["amount"] == "12000"  # 2 x 50.00 + 10.00 shipping + 10.00 tax (on the items)
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.amount_refunded) == ("partially_refunded", Decimal("120.00"))
    rows = {row.seller_id: row for row in SellerTransaction.objects.filter(order=order)}
    assert (rows[sellers[1].pk].status, rows[sellers[1].pk].refunded_amount) == (
        "refunded",
        Decimal("120.00"),
    )
    assert rows[sellers[0].pk].refunded_amount == Decimal("0.00")
    order.refresh_from_db()
    assert order.status == "awaiting_shipment"  # the chair still has to ship
    shipped = auth_client(sellers[0]).patch(f"{ORDERS}{order.pk}/update_shipping/", TRACKING, format="json")
    order.refresh_from_db()
    assert shipped.status_code == 200 and (order.status, order.fulfillment_status) == ("shipped", "shipped")


def test_seller_orders_show_and_filter_by_the_sellers_own_shipment(auth_client, order, sellers):
    auth_client(sellers[0]).patch(f"{ORDERS}{order.pk}/update_shipping/", TRACKING, format="json")

    def listed(seller, query=""):
        body = auth_client(seller).get(f"{ORDERS}seller_orders/?page=1&page_size=10{query}").json()
        return [(r["id"], r["status"]) for r in body["results"]]

    assert listed(sellers[0]) == [(str(order.pk), "shipped")]
    assert listed(sellers[1]) == [(str(order.pk), "awaiting_shipment")]
    assert listed(sellers[0], "&status=awaiting_shipment") == []
    assert listed(sellers[1], "&status=awaiting_shipment") == [(str(order.pk), "awaiting_shipment")]
    assert listed(sellers[0], "&status=shipped") == [(str(order.pk), "shipped")]
    assert listed(sellers[1], "&status=shipped") == []
    assert auth_client(order.buyer).get(f"{ORDERS}{order.pk}/").json()["status"] == "awaiting_shipment"


def test_a_sellers_order_detail_shows_their_own_shipments_status(auth_client, order, sellers, fake_stripe):
    route_refunds(fake_stripe, status="succeeded")

    def statuses():
        return [
            auth_client(who).get(f"{ORDERS}{order.pk}/").json()["status"]
            for who in (sellers[0], sellers[1], order.buyer)
        ]

    paid = statuses()
    auth_client(sellers[0]).patch(
        f"{SHIPMENTS}{part(order, sellers[0]).pk}/update_shipping/", TRACKING, format="json"
    )
    one_shipped = statuses()
    auth_client(order.buyer).post(f"{SHIPMENTS}{part(order, sellers[0]).pk}/confirm_delivery/")
    one_delivered = statuses()
    cancelled = auth_client(sellers[1]).post(f"{SHIPMENTS}{part(order, sellers[1]).pk}/cancel/")
    rest_cancelled = statuses()

    # [first seller, second seller, buyer]: each seller their own part, the buyer the whole order
    assert paid == ["awaiting_shipment", "awaiting_shipment", "awaiting_shipment"]
    assert one_shipped == ["shipped", "awaiting_shipment", "awaiting_shipment"]
    assert one_delivered == ["delivered", "awaiting_shipment", "awaiting_shipment"]
    assert cancelled.status_code == 200
    assert rest_cancelled == ["delivered", "cancelled", "delivered"]  # the only live part is delivered


def test_each_side_is_told_at_once(auth_client, api_client, sellers, fake_stripe, monkeypatch, mailoutbox):
    from authentication.tests.factories import UserFactory

    sent = []
    monkeypatch.setattr(
        "designiaBackend.api.realtime.send_to_user", lambda user_id, event: sent.append((user_id, event))
    )
    chair = OrderingProductFactory(seller=sellers[0], price=Decimal("100.00"), stock_quantity=5)
    order = paid_order(auth_client, api_client, UserFactory(), fake_stripe, (chair, 1))
    shipment = part(order, sellers[0])
    auth_client(sellers[0]).patch(
        f"{SHIPMENTS}{shipment.pk}/update_shipping/", {**TRACKING, "carrier_code": "ups"}, format="json"
    )
    auth_client(order.buyer).post(f"{SHIPMENTS}{shipment.pk}/confirm_delivery/")

    frames = [(user, event["type"]) for user, event in sent if event["type"].startswith("shipment_")]
    assert frames == [
        (str(sellers[0].pk), "shipment_paid"),
        (str(order.buyer_id), "shipment_shipped"),
        (str(order.buyer_id), "shipment_delivered"),
    ]
    shipped = next(event for _, event in sent if event["type"] == "shipment_shipped")
    assert (shipped["order_id"], shipped["shipment_id"], shipped["tracking_number"]) == (
        str(order.pk),
        str(shipment.pk),
        "1Z999AA10123456784",
    )
    assert shipped["tracking_url"] == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    subjects = [(m.to[0], m.subject) for m in mailoutbox]
    short = str(order.pk)[:8].upper()
    assert (sellers[0].email, f"New paid order {short} to ship") in subjects
    assert (order.buyer.email, f"Your Designia order {short} was delivered") in subjects
    shipped_mail = next(m for m in mailoutbox if m.subject == f"Your Designia order {short} is on its way")
    assert "Track your parcel: https://www.ups.com/track?tracknum=1Z999AA10123456784" in shipped_mail.body
