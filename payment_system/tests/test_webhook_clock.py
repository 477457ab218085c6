"""Both webhook endpoints refuse a correctly signed event dated too far in the past or the future
(five minutes either way), storing nothing (issue 22)."""

import json
import time

import pytest

from conftest import STRIPE_TEST_CONNECT_WEBHOOK_SECRET, STRIPE_TEST_WEBHOOK_SECRET
from payment_system.connect.models import ConnectWebhookEvent
from payment_system.tests.fake_stripe import event, sign_webhook
from payment_system.webhooks.models import StripeWebhookEvent

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "platform": ("/api/payments/stripe_webhook/", STRIPE_TEST_WEBHOOK_SECRET, StripeWebhookEvent),
    "connect": (
        "/api/payments/stripe_connect_webhook/",
        STRIPE_TEST_CONNECT_WEBHOOK_SECRET,
        ConnectWebhookEvent,
    ),
}


def deliver(client, endpoint, offset_seconds):
    url, secret, _model = ENDPOINTS[endpoint]
    payload = json.dumps(event("customer.created", {"id": "cus_clock", "object": "customer"}))
    signature = sign_webhook(payload, secret, timestamp=int(time.time()) + offset_seconds)
    return client.post(url, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("offset_seconds", [3600, 301 + 5, -3600, -306])
def test_a_signature_dated_beyond_five_minutes_is_400_and_stores_nothing(
    api_client, fake_stripe, endpoint, offset_seconds
):
    response = deliver(api_client, endpoint, offset_seconds)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert not ENDPOINTS[endpoint][2].objects.exists()


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("offset_seconds", [240, 0, -240])
def test_a_signature_within_five_minutes_either_way_is_accepted(
    api_client, fake_stripe, endpoint, offset_seconds
):
    response = deliver(api_client, endpoint, offset_seconds)

    assert response.status_code == 200
    assert ENDPOINTS[endpoint][2].objects.count() == 1
