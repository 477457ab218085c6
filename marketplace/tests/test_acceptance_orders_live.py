"""F7, F9, F10, F11, F17 and F25 in one purchase, against a running server (daphne on the test
database) with Stripe faked at the HTTP boundary and the payment confirmed by a signed webhook."""

import json
from decimal import Decimal

import pytest
import requests
from rest_framework_simplejwt.tokens import RefreshToken

from authentication.tests.factories import SellerFactory, UserFactory
from conftest import start_daphne
from marketplace.ordering.models import Order
from marketplace.tests.ordering_factories import (
    STRIPE_TEST_WEBHOOK_SECRET,
    OrderingProductFactory,
    completed_session,
    route_checkout_sessions,
)
from payment_system.tests.fake_stripe import event, sign_webhook

pytestmark = pytest.mark.live_server_process


def bearer(user):
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


@pytest.fixture
def stripe_server_process(fake_stripe, transactional_db):
    server = start_daphne(
        {
            "PAYMENT_GATEWAY": "stripe",
            "STRIPE_SECRET_KEY": "sk_test_fake",
            "STRIPE_API_BASE": fake_stripe.url,
            "STRIPE_WEBHOOK_SECRET": STRIPE_TEST_WEBHOOK_SECRET,
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    yield server
    server.stop()


def test_a_purchase_from_cart_to_return_on_a_running_server(stripe_server_process, fake_stripe):
    base = stripe_server_process.http_url
    route_checkout_sessions(fake_stripe)
    buyer, seller = UserFactory(), SellerFactory()
    chair = OrderingProductFactory(seller=seller, name="Oak Chair", price=Decimal("80.00"), stock_quantity=2)
    as_buyer, as_seller = bearer(buyer), bearer(seller)

    added = requests.post(
        f"{base}/api/marketplace/cart/add_item/",
        json={"product_id": chair.pk, "quantity": 1},
        headers=as_buyer,
        timeout=10,
    )
    assert added.status_code == 200, added.text
    assert added.json()["items"][0]["product"]["name"] == "Oak Chair"
    checkout = requests.post(f"{base}/api/payments/checkout_session/", headers=as_buyer, timeout=20)
    assert checkout.status_code == 200, checkout.text
    order_id = checkout.json()["order_id"]
    assert requests.get(f"{base}/api/marketplace/cart/", headers=as_buyer, timeout=10).json()["items"] == []

    payload = json.dumps(
        event("checkout.session.completed", completed_session(Order.objects.get(pk=order_id)))
    )
    delivered = requests.post(
        f"{base}/api/payments/stripe_webhook/",
        data=payload,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": sign_webhook(payload, STRIPE_TEST_WEBHOOK_SECRET),
        },
        timeout=20,
    )
    forged = requests.post(
        f"{base}/api/payments/stripe_webhook/",
        data=payload,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": sign_webhook(payload, "whsec_forged"),
        },
        timeout=10,
    )
    assert (delivered.status_code, forged.status_code) == (200, 400)

    detail = requests.get(f"{base}/api/marketplace/orders/{order_id}/", headers=as_buyer, timeout=10).json()
    assert (detail["status"], detail["payment_status"]) == ("awaiting_shipment", "paid")
    assert detail["shipping_address"]["address_line1"] == "12 Harbour Road"
    pending = requests.get(
        f"{base}/api/marketplace/orders/seller_orders/?page=1&page_size=1&status=awaiting_shipment",
        headers=as_seller,
        timeout=10,
    ).json()
    assert pending["count"] == 1
    shipped = requests.patch(
        f"{base}/api/marketplace/orders/{order_id}/update_shipping/",
        json={"shipping_carrier": "UPS", "tracking_number": "1Z999AA10123456784"},
        headers=as_seller,
        timeout=10,
    )
    assert shipped.json()["status"] == "shipped"
    refused = requests.post(
        f"{base}/api/marketplace/orders/{order_id}/cancel/",
        json={"reason": "changed_mind"},
        headers=as_buyer,
        timeout=10,
    )
    assert refused.status_code == 400
    requests.post(f"{base}/api/marketplace/orders/{order_id}/confirm_delivery/", headers=as_buyer, timeout=10)
    item_id = detail["items"][0]["id"]
    returned = requests.post(
        f"{base}/api/marketplace/orders/{order_id}/return/",
        json={
            "items": [{"itemId": item_id, "quantity": 1}],
            "reason": "defective",
            "comment": "",
            "proof_images": [],
        },
        headers=as_buyer,
        timeout=10,
    )
    assert returned.status_code == 201, returned.text
    assert Order.objects.get(pk=order_id).status == "delivered"
