"""Seller Stripe Connect endpoints E51–E55 against Stripe faked at the HTTP boundary."""

import pytest
from django.db import connections

from authentication.tests.factories import SellerFactory, StaffFactory, UserFactory
from payment_system.connect.models import StripeConnectAccount
from payment_system.tests.connect_factories import StripeConnectAccountFactory
from payment_system.tests.stripe_objects import stripe_account

pytestmark = pytest.mark.django_db

ACCOUNT_URL = "/api/payments/stripe/account/"
SESSION_URL = "/api/payments/stripe/create-session/"
STATUS_URL = "/api/payments/stripe/account-status/"
LINK_URL = "/api/payments/stripe/account-link/"


# --- E52: create ----------------------------------------------------------------------------------


def test_customer_cannot_create_an_account_and_stripe_is_not_called(fake_stripe, auth_client):
    customer = UserFactory(two_factor_enabled=True)

    response = auth_client(customer).post(ACCOUNT_URL)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["error"] == response.json()["detail"] == "Only sellers can do this."
    assert fake_stripe.requests == []
    assert not StripeConnectAccount.objects.exists()


def test_anonymous_gets_401(fake_stripe, api_client):
    assert api_client.post(ACCOUNT_URL).status_code == 401
    assert fake_stripe.requests == []


def test_seller_without_2fa_is_refused_with_the_2fa_text(fake_stripe, auth_client):
    seller = SellerFactory(two_factor_enabled=False)

    response = auth_client(seller).post(ACCOUNT_URL)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "stripe_not_eligible"
    assert "Two-factor authentication" in body["error"] and "2FA" in body["error"]
    assert body["eligibility_errors"] == [
        "Two-factor authentication (2FA) must be enabled before you can set up payouts."
    ]
    assert fake_stripe.requests == []
    assert not StripeConnectAccount.objects.exists()


def test_seller_without_a_usable_password_is_refused_with_the_password_text(fake_stripe, auth_client):
    seller = SellerFactory()
    seller.set_unusable_password()
    seller.save()

    response = auth_client(seller).post(ACCOUNT_URL)

    assert response.status_code == 400
    assert "password" in response.json()["error"]
    assert fake_stripe.requests == []


def test_seller_creates_an_express_account_with_transfers_once(fake_stripe, auth_client):
    seller = SellerFactory(email="maker@example.com")
    seller.profile.shop_name = "Oak & Ash Studio"
    seller.profile.save()
    fake_stripe.on("POST", r"/v1/accounts", (200, stripe_account("acct_1Oak")))
    client = auth_client(seller)

    first = client.post(ACCOUNT_URL)
    second = client.post(ACCOUNT_URL)

    assert (first.status_code, first.json()) == (201, {"account_id": "acct_1Oak"})
    assert (second.status_code, second.json()) == (200, {"account_id": "acct_1Oak"})
    [request] = fake_stripe.requests_to("POST", r"/v1/accounts")
    assert request.idempotency_key == f"designia-connect-account-{seller.pk}"
    assert request.form["capabilities[transfers][requested]"] == "true"
    assert request.form["controller[stripe_dashboard][type]"] == "express"
    assert request.form["controller[requirement_collection]"] == "stripe"
    assert request.form["email"] == "maker@example.com"
    assert request.form["business_profile[name]"] == "Oak & Ash Studio"
    assert request.form["metadata[seller_id]"] == str(seller.pk)
    account = StripeConnectAccount.objects.get()
    assert (account.seller, account.stripe_account_id, account.business_name) == (
        seller,
        "acct_1Oak",
        "Oak & Ash Studio",
    )
    assert account.requirements_past_due == ["external_account"]
    assert account.payouts_enabled is False


def test_admin_role_may_create_an_account(fake_stripe, auth_client):
    admin = StaffFactory(two_factor_enabled=True)
    fake_stripe.on("POST", r"/v1/accounts", (200, stripe_account("acct_1Admin")))

    response = auth_client(admin).post(ACCOUNT_URL)

    assert (response.status_code, response.json()) == (201, {"account_id": "acct_1Admin"})
    assert StripeConnectAccount.objects.get(seller=admin).stripe_account_id == "acct_1Admin"


def test_stripe_outage_stores_nothing_and_the_retry_reuses_the_idempotency_key(fake_stripe, auth_client):
    seller = SellerFactory()
    error = {"error": {"type": "api_error", "message": "Stripe is down"}}
    fake_stripe.on("POST", r"/v1/accounts", (500, error))
    client = auth_client(seller)

    failed = client.post(ACCOUNT_URL)

    assert failed.status_code == 503
    assert failed.json()["code"] == "stripe_unavailable"
    assert failed.json()["error"]
    assert not StripeConnectAccount.objects.exists()

    fake_stripe.on("POST", r"/v1/accounts", (200, stripe_account("acct_1Oak")))
    assert client.post(ACCOUNT_URL).status_code == 201
    keys = {r.idempotency_key for r in fake_stripe.requests_to("POST", r"/v1/accounts")}
    assert keys == {f"designia-connect-account-{seller.pk}"}


def test_stripe_refusal_is_a_502_with_error_text(fake_stripe, auth_client):
    error = {"error": {"type": "invalid_request_error", "message": "Connect is not enabled"}}
    fake_stripe.on("POST", r"/v1/accounts", (400, error))

    response = auth_client(SellerFactory()).post(ACCOUNT_URL)

    assert response.status_code == 502
    assert "Connect is not enabled" in response.json()["error"]
    assert not StripeConnectAccount.objects.exists()


# --- E51: read ----------------------------------------------------------------------------------------


def test_account_is_404_when_the_seller_has_none(fake_stripe, auth_client):
    response = auth_client(SellerFactory()).get(ACCOUNT_URL)

    assert response.status_code == 404
    assert response.json()["code"] == "stripe_account_missing"
    assert response.json()["error"]
    assert fake_stripe.requests == []


def test_account_is_read_from_stripe_and_synced(fake_stripe, auth_client):
    account = StripeConnectAccountFactory(stripe_account_id="acct_1Oak", business_name="")
    fake_stripe.on("GET", r"/v1/accounts/acct_1Oak", (200, stripe_account("acct_1Oak", onboarded=True)))

    response = auth_client(account.seller).get(ACCOUNT_URL)

    assert response.status_code == 200
    assert response.json() == {
        "id": "acct_1Oak",
        "business_profile": {"name": "Oak & Ash Studio"},
        "payouts_enabled": True,
        "details_submitted": True,
        "charges_enabled": True,
    }
    account.refresh_from_db()
    assert (account.payouts_enabled, account.details_submitted, account.business_name) == (
        True,
        True,
        "Oak & Ash Studio",
    )
    assert account.requirements_currently_due == [] and account.state_observed_at is not None


def test_customer_cannot_read_an_account(fake_stripe, auth_client):
    response = auth_client(UserFactory()).get(ACCOUNT_URL)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert fake_stripe.requests == []


# --- E53: account session ------------------------------------------------------------------------------


def test_account_session_for_embedded_onboarding(fake_stripe, auth_client):
    account = StripeConnectAccountFactory(stripe_account_id="acct_1Oak")
    fake_stripe.on(
        "POST",
        r"/v1/account_sessions",
        (200, {"object": "account_session", "account": "acct_1Oak", "client_secret": "accs_secret_123"}),
    )

    response = auth_client(account.seller).post(SESSION_URL)

    assert (response.status_code, response.json()) == (200, {"client_secret": "accs_secret_123"})
    [request] = fake_stripe.requests_to("POST", r"/v1/account_sessions")
    assert request.form["account"] == "acct_1Oak"
    assert request.form["components[account_onboarding][enabled]"] == "true"


def test_account_session_without_an_account_is_404(fake_stripe, auth_client):
    response = auth_client(SellerFactory()).post(SESSION_URL)

    assert response.status_code == 404
    assert response.json()["error"] == "You have no Stripe account yet. Create one first."
    assert fake_stripe.requests == []


# --- E55: account link ---------------------------------------------------------------------------------


def test_account_link_for_the_sellers_own_account(fake_stripe, auth_client, settings):
    account = StripeConnectAccountFactory(stripe_account_id="acct_1Oak")
    link = {"object": "account_link", "url": "https://connect.stripe.com/setup/e/acct_1Oak/abc"}
    fake_stripe.on("POST", r"/v1/account_links", (200, link))
    body = {
        "account_id": "acct_1Oak",
        "refresh_url": f"{settings.FRONTEND_URL}/seller/onboarding/stripe",
        "return_url": f"{settings.FRONTEND_URL}/seller/onboarding/return",
        "type": "account_onboarding",
    }

    response = auth_client(account.seller).post(LINK_URL, body)

    assert (response.status_code, response.json()) == (200, {"url": link["url"]})
    [request] = fake_stripe.requests_to("POST", r"/v1/account_links")
    assert request.form == {
        "account": "acct_1Oak",
        "refresh_url": body["refresh_url"],
        "return_url": body["return_url"],
        "type": "account_onboarding",
    }


def test_account_link_for_another_sellers_account_is_404(fake_stripe, auth_client):
    StripeConnectAccountFactory(stripe_account_id="acct_1Other")
    mine = StripeConnectAccountFactory(stripe_account_id="acct_1Mine")

    response = auth_client(mine.seller).post(LINK_URL, {"account_id": "acct_1Other"})

    assert response.status_code == 404
    assert fake_stripe.requests == []


def test_account_link_refuses_return_urls_outside_the_web_app(fake_stripe, auth_client):
    account = StripeConnectAccountFactory()

    response = auth_client(account.seller).post(LINK_URL, {"return_url": "https://evil.example/phish"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_url"
    assert fake_stripe.requests == []


def test_account_link_validates_its_input(fake_stripe, auth_client):
    account = StripeConnectAccountFactory()

    response = auth_client(account.seller).post(LINK_URL, {"type": "payouts", "return_url": "not a url"})

    assert response.status_code == 400
    assert set(response.json()) == {"type", "return_url", "code"}


# --- E54: account status ---------------------------------------------------------------------------------

C11_FIELDS = {
    "has_stripe_account",
    "has_account",
    "account_id",
    "status",
    "details_submitted",
    "charges_enabled",
    "payouts_enabled",
    "requirements",
    "message",
    "eligible_for_creation",
    "eligibility_errors",
}


def test_status_without_an_account(auth_client, django_assert_max_num_queries):
    client = auth_client(SellerFactory())

    with django_assert_max_num_queries(2):
        response = client.get(STATUS_URL)

    assert response.status_code == 200
    assert response.json() == {
        "has_stripe_account": False,
        "has_account": False,
        "account_id": None,
        "status": "not_created",
        "details_submitted": False,
        "charges_enabled": False,
        "payouts_enabled": False,
        "requirements": {"currently_due": [], "past_due": []},
        "message": "Connect a Stripe account to receive payouts for your sales.",
        "eligible_for_creation": True,
        "eligibility_errors": [],
    }


def test_status_explains_why_a_seller_without_2fa_is_not_eligible(auth_client):
    body = auth_client(SellerFactory(two_factor_enabled=False)).get(STATUS_URL).json()

    assert body["eligible_for_creation"] is False
    assert body["eligibility_errors"] == [
        "Two-factor authentication (2FA) must be enabled before you can set up payouts."
    ]
    assert body["message"] == body["eligibility_errors"][0]


@pytest.mark.parametrize(
    ("state", "status", "message"),
    [
        ({}, "onboarding", "Finish your Stripe onboarding to start receiving payouts."),
        (
            {"details_submitted": True},
            "pending_verification",
            "Stripe is reviewing your details. Payouts start once verification is complete.",
        ),
        (
            {"details_submitted": True, "requirements_past_due": ["individual.id_number"]},
            "restricted",
            "Stripe needs more information from you before payouts can continue.",
        ),
        (
            {"details_submitted": True, "payouts_enabled": True, "charges_enabled": True},
            "active",
            "Your Stripe account is ready to receive payouts.",
        ),
    ],
)
def test_status_of_an_account(auth_client, state, status, message):
    account = StripeConnectAccountFactory(
        stripe_account_id="acct_1Oak", requirements_currently_due=["external_account"], **state
    )

    body = auth_client(account.seller).get(STATUS_URL).json()

    assert set(body) == C11_FIELDS
    assert (body["has_stripe_account"], body["has_account"], body["account_id"]) == (True, True, "acct_1Oak")
    assert (body["status"], body["message"]) == (status, message)
    assert body["requirements"] == {
        "currently_due": ["external_account"],
        "past_due": state.get("requirements_past_due", []),
    }
    assert body["payouts_enabled"] is state.get("payouts_enabled", False)
    assert body["details_submitted"] is state.get("details_submitted", False)
    assert (body["eligible_for_creation"], body["eligibility_errors"]) == (True, [])


def test_status_is_seller_only(auth_client):
    response = auth_client(UserFactory()).get(STATUS_URL)

    assert response.status_code == 403
    assert response.json()["error"] == "Only sellers can do this."


# --- the dummy gateway (make run) ---------------------------------------------------------------------------


def test_dummy_gateway_onboards_a_demo_seller_without_network(auth_client, settings):
    settings.PAYMENT_GATEWAY = "dummy"
    client = auth_client(SellerFactory())

    created = client.post(ACCOUNT_URL)
    session = client.post(SESSION_URL)
    account = client.get(ACCOUNT_URL)

    assert created.status_code == 201 and created.json()["account_id"].startswith("acct_dummy")
    assert session.status_code == 200 and session.json()["client_secret"].startswith("accs_dummy_secret_")
    assert account.status_code == 200
    assert account.json()["id"] == created.json()["account_id"]
    assert account.json()["payouts_enabled"] is True
    assert client.get(STATUS_URL).json()["status"] == "active"


def test_a_concurrent_creation_returns_the_account_stored_first(fake_stripe, auth_client, transactional_db):
    """Two E52 calls racing: Stripe answers both with the same account (same idempotency key);
    the one that stores second finds the one-to-one row taken and answers 200 with it."""
    seller = SellerFactory()

    def stripe_answers_after_the_other_request_stored_it(request, match):
        StripeConnectAccount.objects.get_or_create(seller=seller, defaults={"stripe_account_id": "acct_1Oak"})
        connections.close_all()
        return 200, stripe_account("acct_1Oak")

    fake_stripe.on("POST", r"/v1/accounts", stripe_answers_after_the_other_request_stored_it)

    response = auth_client(seller).post(ACCOUNT_URL)

    assert (response.status_code, response.json()) == (200, {"account_id": "acct_1Oak"})
    assert StripeConnectAccount.objects.filter(seller=seller).count() == 1
