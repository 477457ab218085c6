from decimal import Decimal

import pytest
from django.test import Client

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.ordering.models import Order
from marketplace.tests.ordering_factories import OrderingProductFactory, paid_order, route_refunds
from payment_system.payments.models import Refund

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    admin = UserFactory(is_staff=True, is_superuser=True, role="admin")
    client = Client()
    client.force_login(admin)
    return client


def test_admin_refund_action_cancels_and_refunds_through_services(
    admin_client, auth_client, api_client, fake_stripe, django_capture_on_commit_callbacks
):
    route_refunds(fake_stripe, status="succeeded")
    product = OrderingProductFactory(price=Decimal("50.00"), stock_quantity=2)
    order = paid_order(auth_client, api_client, UserFactory(), fake_stripe, (product, 1))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/marketplace/order/", {"action": "refund_orders", "_selected_action": [str(order.pk)]}
        )

    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.payment_status, order.cancellation_reason) == (
        "refunded",
        "refunded",
        "staff_refund",
    )
    assert Refund.objects.get(order=order).status == "succeeded"
    product.refresh_from_db()
    assert product.stock_quantity == 2


def test_admin_mark_delivered_refuses_unshipped_orders(admin_client, auth_client, api_client, fake_stripe):
    seller = SellerFactory()
    order = paid_order(
        auth_client, api_client, UserFactory(), fake_stripe, (OrderingProductFactory(seller=seller), 1)
    )

    admin_client.post(
        "/admin/marketplace/order/", {"action": "mark_delivered", "_selected_action": [str(order.pk)]}
    )
    assert Order.objects.get(pk=order.pk).status == "awaiting_shipment"

    auth_client(seller).patch(
        f"/api/marketplace/orders/{order.pk}/update_shipping/",
        {"shipping_carrier": "DHL", "tracking_number": "JD0123456"},
        format="json",
    )
    admin_client.post(
        "/admin/marketplace/order/", {"action": "mark_delivered", "_selected_action": [str(order.pk)]}
    )
    assert Order.objects.get(pk=order.pk).status == "delivered"


def test_admin_shows_shipments_inline_and_filters_by_fulfilment(
    admin_client, auth_client, api_client, fake_stripe
):
    sellers = SellerFactory(), SellerFactory()
    order = paid_order(
        auth_client,
        api_client,
        UserFactory(),
        fake_stripe,
        *((OrderingProductFactory(seller=seller), 1) for seller in sellers),
    )
    other = paid_order(auth_client, api_client, UserFactory(), fake_stripe, (OrderingProductFactory(), 1))
    auth_client(sellers[0]).patch(
        f"/api/marketplace/orders/{order.pk}/update_shipping/",
        {"shipping_carrier": "DHL", "tracking_number": "JD0123456"},
        format="json",
    )

    page = admin_client.get(f"/admin/marketplace/order/{order.pk}/change/")
    partial = admin_client.get("/admin/marketplace/order/?fulfillment_status__exact=partially_shipped")

    assert page.status_code == 200
    assert "JD0123456" in page.content.decode() and "Shipments" in page.content.decode()
    assert str(order.pk) in partial.content.decode() and str(other.pk) not in partial.content.decode()
    assert admin_client.get("/admin/marketplace/shipment/?status__exact=shipped").status_code == 200


def test_admin_shows_a_sellers_shipping_profile_with_its_zones(admin_client, auth_client):
    seller = SellerFactory()
    created = auth_client(seller).post(
        "/api/marketplace/shipping-profiles/",
        {"name": "Bulky", "zones": [{"countries": ["PT"], "base_price": "25.00", "price_per_kg": "2.00"}]},
        format="json",
    )

    page = admin_client.get(f"/admin/marketplace/shippingprofile/{created.json()['id']}/change/")
    listing = admin_client.get(f"/admin/marketplace/shippingprofile/?q={seller.username}")

    assert page.status_code == 200
    assert b"Bulky" in page.content and b"25.00" in page.content
    assert listing.status_code == 200 and b"Bulky" in listing.content
    assert admin_client.get("/admin/marketplace/shippingzone/").status_code == 200
