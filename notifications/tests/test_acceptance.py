"""Issue 16's acceptance scenario: real activity sockets on a running daphne, REST through the real
URLs. A two-seller order paid: each seller's socket gets a ``notification`` frame for their
shipment and each seller one e-mail; seller 1 ships: the buyer's socket and e-mail carry the
tracking link; the buyer asks for a return: seller 1 is told; the inbox lists them unread;
``read_all`` makes the count on the next connect 0."""

import asyncio
from decimal import Decimal

import pytest

from authentication.tests.factories import SellerFactory, UserFactory
from chat.tests.sockets import activity_socket
from designiaBackend.api import realtime
from marketplace.ordering.models import Shipment
from marketplace.tests.ordering_factories import OrderingProductFactory, paid_order

pytestmark = pytest.mark.live_server_process
INBOX = "/api/notifications/"
WITHIN = 2  # seconds, from the REST answer (the frame left on commit, before the answer)
TRACKING_URL = "https://www.ups.com/track?tracknum=1Z999AA10123456784"


@pytest.fixture(autouse=True)
def pricing(settings):
    settings.SHIPPING_FLAT_RATE = Decimal("10.00")
    settings.FREE_SHIPPING_THRESHOLD = Decimal("0")
    settings.TAX_DEFAULT_RATE = Decimal("0.10")


async def assert_no_notification_before_a_marker(socket, user):
    """Prove "no notification" by a marker: a frame pushed to the user now, through the same
    channel layer, arrives before any notification (one subscriber's frames keep their order)."""
    await asyncio.to_thread(realtime.send_to_user, str(user.pk), {"type": "test_marker"})
    while (frame := await socket.receive(timeout=WITHIN))["type"] != "test_marker":
        assert frame["type"] != "notification", frame


async def notification_of(socket, kind):
    while True:
        frame = await socket.receive_type("notification", timeout=WITHIN)
        if frame["notification"]["kind"] == kind:
            return frame


def test_both_sides_are_told_live_by_email_and_in_the_inbox(
    live_asgi_server, auth_client, api_client, fake_stripe, mailoutbox
):
    maker, potter, buyer = SellerFactory(), SellerFactory(), UserFactory()
    chair = OrderingProductFactory(seller=maker, name="Oak Chair", price=Decimal("100.00"), stock_quantity=5)
    cup = OrderingProductFactory(seller=potter, name="Cup", price=Decimal("30.00"), stock_quantity=5)
    server = live_asgi_server

    def pay():
        order = paid_order(auth_client, api_client, buyer, fake_stripe, (chair, 1), (cup, 2))
        return order, {s.seller_id: s for s in Shipment.objects.filter(order=order)}

    def ship(shipment):
        body = {"shipping_carrier": "UPS", "tracking_number": "1Z999AA10123456784", "carrier_code": "ups"}
        answer = auth_client(maker).patch(f"/api/marketplace/shipments/{shipment.pk}/update_shipping/", body)
        assert answer.status_code == 200, answer.content

    def deliver_and_return(order, shipment):
        delivered = auth_client(buyer).post(f"/api/marketplace/shipments/{shipment.pk}/confirm_delivery/")
        assert delivered.status_code == 200, delivered.content
        item = order.items.get(seller=maker)
        body = {"items": [{"itemId": item.pk, "quantity": 1}], "reason": "defective"}
        answer = auth_client(buyer).post(f"/api/marketplace/orders/{order.pk}/return/", body, format="json")
        assert answer.status_code == 201, answer.content
        return answer.json()["id"]

    async def scenario():
        async with (
            activity_socket(server, maker) as maker_socket,
            activity_socket(server, potter) as potter_socket,
            activity_socket(server, buyer) as buyer_socket,
        ):
            assert maker_socket.welcome["unread_notifications_count"] == 0
            order, parts = await asyncio.to_thread(pay)
            for seller, socket in ((maker, maker_socket), (potter, potter_socket)):
                frame = await notification_of(socket, "shipment_paid")
                assert frame["notification"]["link_type"] == "shipment"
                assert frame["notification"]["link_id"] == str(parts[seller.pk].pk)
                assert frame["unread_notifications_count"] == 1

            await asyncio.to_thread(ship, parts[maker.pk])
            shipped = await notification_of(buyer_socket, "shipment_shipped")
            assert TRACKING_URL in shipped["notification"]["body"]

            return_id = await asyncio.to_thread(deliver_and_return, order, parts[maker.pk])
            asked = await notification_of(maker_socket, "return_requested")
            assert asked["notification"]["link_id"] == str(return_id)
            assert asked["unread_notifications_count"] == 2
            await assert_no_notification_before_a_marker(potter_socket, potter)  # potter's part stays
            return order

    order = asyncio.run(scenario())

    def emails_to(user):
        return [m for m in mailoutbox if m.to == [user.email]]

    short = str(order.pk)[:8].upper()
    assert [m.subject for m in emails_to(potter)] == [f"New paid order {short} to ship"]
    assert [m.subject for m in emails_to(maker)][0] == f"New paid order {short} to ship"
    [shipped_mail] = [m for m in emails_to(buyer) if "on its way" in m.subject]
    assert f"Track your parcel: {TRACKING_URL}" in shipped_mail.body

    def unread(user):
        body = auth_client(user).get(f"{INBOX}?unread=true").json()
        return [n["kind"] for n in body["results"]]

    assert unread(maker) == ["return_requested", "shipment_paid"]
    assert unread(potter) == ["shipment_paid"]
    assert unread(buyer) == ["shipment_delivered", "shipment_shipped", "payment_confirmed"]

    async def welcome_count(user):
        async with activity_socket(server, user) as socket:
            return socket.welcome["unread_notifications_count"]

    assert asyncio.run(welcome_count(maker)) == 2
    assert auth_client(maker).post(f"{INBOX}read_all/").json() == {
        "marked_read": 2,
        "unread_notifications_count": 0,
    }
    assert asyncio.run(welcome_count(maker)) == 0
    assert asyncio.run(welcome_count(potter)) == 1


def test_a_subscriber_to_an_out_of_stock_chair_is_told_once_for_two_restocks(
    live_asgi_server, auth_client, mailoutbox
):
    seller, buyer = SellerFactory(), UserFactory()
    chair = OrderingProductFactory(seller=seller, name="Oak Chair", price=Decimal("80.00"), stock_quantity=0)
    assert auth_client(buyer).post(f"/api/marketplace/products/{chair.slug}/notify_me/").status_code == 201

    def restock(quantity):
        answer = auth_client(seller).patch(
            f"/api/marketplace/products/{chair.slug}/", {"stock_quantity": quantity}, format="json"
        )
        assert answer.status_code == 200, answer.content

    async def scenario():
        async with activity_socket(live_asgi_server, buyer) as socket:
            await asyncio.to_thread(restock, 2)
            await asyncio.to_thread(restock, 6)
            frame = await notification_of(socket, "back_in_stock")
            assert frame["notification"]["link_id"] == str(chair.pk)
            await assert_no_notification_before_a_marker(socket, buyer)  # one alert for two restocks

    asyncio.run(scenario())
    assert [m.subject for m in mailoutbox if m.to == [buyer.email]] == ["Oak Chair is back in stock"]
