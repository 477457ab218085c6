"""Contract flow F13, steps 6–7 (Stripe Connect embedded onboarding), against a running daphne
server whose Stripe API is the local fake: E51 (404) → E52 → E53 → Stripe's component →
Connect webhook → E51."""

import json

import pytest
import requests

from authentication.tests.factories import SellerFactory
from conftest import STRIPE_TEST_CONNECT_WEBHOOK_SECRET, bearer_for, start_daphne
from payment_system.connect.models import StripeConnectAccount
from payment_system.tests.fake_stripe import event, sign_webhook
from payment_system.tests.stripe_objects import stripe_account


@pytest.fixture
def stripe_server(fake_stripe, transactional_db):
    server = start_daphne(
        {
            "PAYMENT_GATEWAY": "stripe",
            "STRIPE_SECRET_KEY": "sk_test_fake",
            "STRIPE_API_BASE": fake_stripe.url,
            "STRIPE_CONNECT_WEBHOOK_SECRET": STRIPE_TEST_CONNECT_WEBHOOK_SECRET,
        }
    )
    yield server
    server.stop()


def test_F13_stripe_onboarding_steps(stripe_server, fake_stripe):
    seller = SellerFactory(email="maker@example.com")  # approved (step 5) with 2FA (F12)
    seller.profile.shop_name = "Oak & Ash Studio"
    seller.profile.save()
    api = requests.Session()
    api.headers["Authorization"] = bearer_for(seller)
    base = f"{stripe_server.http_url}/api/payments/stripe"
    fake_stripe.on("POST", r"/v1/accounts", (200, stripe_account("acct_1Oak")))
    fake_stripe.on(
        "POST",
        r"/v1/account_sessions",
        (200, {"object": "account_session", "client_secret": "accs_secret_1"}),
    )

    # Step 7 before any account: 404 (C10).
    missing = api.get(f"{base}/account/", timeout=10)
    assert missing.status_code == 404 and missing.json()["error"]

    # Step 6: E52 → 201 {account_id}, then E53 → {client_secret}.
    created = api.post(f"{base}/account/", timeout=10)
    assert (created.status_code, created.json()) == (201, {"account_id": "acct_1Oak"})
    assert api.post(f"{base}/account/", timeout=10).status_code == 200
    session = api.post(f"{base}/create-session/", timeout=10)
    assert (session.status_code, session.json()) == (200, {"client_secret": "accs_secret_1"})

    # Stripe's embedded component collects the details; Stripe announces the new state.
    onboarded = stripe_account("acct_1Oak", onboarded=True)
    payload = json.dumps(event("account.updated", onboarded, account="acct_1Oak"))
    webhook = requests.post(
        f"{stripe_server.http_url}/api/payments/stripe_connect_webhook/",
        data=payload,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": sign_webhook(payload, STRIPE_TEST_CONNECT_WEBHOOK_SECRET),
        },
        timeout=10,
    )
    assert webhook.status_code == 200
    assert api.get(f"{base}/account-status/", timeout=10).json()["status"] == "active"

    # Step 7: on exit, /seller/onboarding/return → E51.
    fake_stripe.on("GET", r"/v1/accounts/acct_1Oak", (200, onboarded))
    account = api.get(f"{base}/account/", timeout=10)
    assert (account.status_code, account.json()) == (
        200,
        {
            "id": "acct_1Oak",
            "business_profile": {"name": "Oak & Ash Studio"},
            "payouts_enabled": True,
            "details_submitted": True,
            "charges_enabled": True,
        },
    )
    assert len(fake_stripe.requests_to("POST", r"/v1/accounts")) == 1
    assert StripeConnectAccount.objects.get(seller=seller).payouts_enabled is True
