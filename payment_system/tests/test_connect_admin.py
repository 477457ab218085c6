"""Finance admin pages of this area: read-only, payload shown."""

import pytest
from django.utils import timezone

from authentication.models import User
from payment_system.connect.models import ConnectWebhookEvent
from payment_system.rates.models import ExchangeRate
from payment_system.tests.connect_factories import StripeConnectAccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser(email="root@example.com", password="Adm1n-Passw0rd!"))
    return client


def test_changelists_render_and_offer_no_add(admin_client):
    StripeConnectAccountFactory()
    ExchangeRate.objects.create(
        base_currency="EUR",
        currency="USD",
        rate="1.08",
        rate_date=timezone.now().date(),
        source="ecb",
        fetched_at=timezone.now(),
    )
    for model in ("stripeconnectaccount", "payout", "connectwebhookevent", "exchangerate"):
        response = admin_client.get(f"/admin/payment_system/{model}/")
        assert response.status_code == 200, model
        assert admin_client.get(f"/admin/payment_system/{model}/add/").status_code == 403, model


def test_a_webhook_event_shows_its_payload_read_only(admin_client):
    stored = ConnectWebhookEvent.objects.create(
        stripe_event_id="evt_1",
        type="account.updated",
        stripe_account_id="acct_1Oak",
        payload={"id": "evt_1", "data": {"object": {"id": "acct_1Oak"}}},
        outcome="processed",
        stripe_created_at=timezone.now(),
    )

    response = admin_client.get(f"/admin/payment_system/connectwebhookevent/{stored.pk}/change/")

    assert response.status_code == 200
    assert "&quot;acct_1Oak&quot;" in response.content.decode()
    assert b'name="_save"' not in response.content
    assert (
        admin_client.post(f"/admin/payment_system/connectwebhookevent/{stored.pk}/delete/").status_code == 403
    )
