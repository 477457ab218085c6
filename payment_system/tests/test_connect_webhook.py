"""The Connect webhook: its own signing secret, events stored once, account state and payouts."""

import json
from datetime import date
from decimal import Decimal

import pytest

from conftest import STRIPE_TEST_CONNECT_WEBHOOK_SECRET, STRIPE_TEST_WEBHOOK_SECRET
from payment_system.connect.models import ConnectWebhookEvent, Payout
from payment_system.tests.connect_factories import StripeConnectAccountFactory
from payment_system.tests.fake_stripe import event, sign_webhook
from payment_system.tests.stripe_objects import stripe_account, stripe_payout

pytestmark = pytest.mark.django_db

URL = "/api/payments/stripe_connect_webhook/"
T0 = 1795478400  # 2026-11-24 00:00 UTC


def deliver(client, body, secret=STRIPE_TEST_CONNECT_WEBHOOK_SECRET, signature=None):
    payload = json.dumps(body)
    return client.post(
        URL,
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature or sign_webhook(payload, secret),
    )


def test_account_updated_syncs_payout_readiness_once(fake_stripe, api_client):
    account = StripeConnectAccountFactory(stripe_account_id="acct_1Oak")
    body = event("account.updated", stripe_account("acct_1Oak", onboarded=True), account="acct_1Oak")

    first = deliver(api_client, body)
    second = deliver(api_client, body)

    assert (first.status_code, first.json()) == (200, {"received": True, "duplicate": False})
    assert (second.status_code, second.json()) == (200, {"received": True, "duplicate": True})
    account.refresh_from_db()
    assert (account.payouts_enabled, account.details_submitted, account.charges_enabled) == (True, True, True)
    assert account.requirements_past_due == [] and account.disabled_reason == ""
    stored = ConnectWebhookEvent.objects.get()
    assert (stored.stripe_event_id, stored.type, stored.stripe_account_id, stored.outcome) == (
        body["id"],
        "account.updated",
        "acct_1Oak",
        "processed",
    )
    assert stored.payload == body
    assert fake_stripe.requests == []


def test_an_event_signed_with_the_platform_secret_is_refused(fake_stripe, api_client):
    account = StripeConnectAccountFactory(stripe_account_id="acct_1Oak")
    body = event("account.updated", stripe_account("acct_1Oak", onboarded=True), account="acct_1Oak")

    response = deliver(api_client, body, secret=STRIPE_TEST_WEBHOOK_SECRET)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid webhook signature.",
        "error": "Invalid webhook signature.",
        "code": "invalid_signature",
    }
    assert not ConnectWebhookEvent.objects.exists()
    account.refresh_from_db()
    assert account.payouts_enabled is False


@pytest.mark.parametrize("signature", ["", "t=1,v1=deadbeef", "garbage"])
def test_missing_or_forged_signatures_are_refused(fake_stripe, api_client, signature):
    body = event("account.updated", stripe_account("acct_1Oak"), account="acct_1Oak")
    payload = json.dumps(body)

    response = api_client.post(
        URL, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )

    assert response.status_code == 400
    assert not ConnectWebhookEvent.objects.exists()


def test_a_tampered_body_is_refused(fake_stripe, api_client):
    body = event("account.updated", stripe_account("acct_1Oak"), account="acct_1Oak")
    signature = sign_webhook(json.dumps(body), STRIPE_TEST_CONNECT_WEBHOOK_SECRET)
    body["data"]["object"]["payouts_enabled"] = True

    assert deliver(api_client, body, signature=signature).status_code == 400
    assert not ConnectWebhookEvent.objects.exists()


def test_the_webhook_needs_no_csrf_token(fake_stripe):
    from django.test import Client

    StripeConnectAccountFactory(stripe_account_id="acct_1Oak")
    body = event("account.updated", stripe_account("acct_1Oak"), account="acct_1Oak")

    response = deliver(Client(enforce_csrf_checks=True), body)

    assert response.status_code == 200
    assert ConnectWebhookEvent.objects.filter(stripe_event_id=body["id"], type="account.updated").exists()


def test_an_older_account_event_does_not_overwrite_a_newer_state(fake_stripe, api_client):
    account = StripeConnectAccountFactory(stripe_account_id="acct_1Oak")
    newer = event("account.updated", stripe_account("acct_1Oak", onboarded=True), created=T0 + 60)
    older = event("account.updated", stripe_account("acct_1Oak", onboarded=False), created=T0)

    deliver(api_client, newer)
    response = deliver(api_client, older)

    assert response.status_code == 200
    account.refresh_from_db()
    assert account.payouts_enabled is True
    stale = ConnectWebhookEvent.objects.get(stripe_event_id=older["id"])
    assert (stale.outcome, stale.note) == ("ignored", "older than the stored state")


def test_an_event_for_an_unknown_account_is_stored_and_ignored(fake_stripe, api_client):
    body = event("account.updated", stripe_account("acct_1Unknown"), account="acct_1Unknown")

    assert deliver(api_client, body).status_code == 200
    stored = ConnectWebhookEvent.objects.get()
    assert (stored.outcome, stored.note) == ("ignored", "unknown account")


def test_unhandled_event_types_are_stored_and_ignored(fake_stripe, api_client):
    body = event("capability.updated", {"id": "transfers", "object": "capability"}, account="acct_1Oak")

    assert deliver(api_client, body).status_code == 200
    assert ConnectWebhookEvent.objects.get().outcome == "ignored"


def test_payout_events_record_the_sellers_payout(fake_stripe, api_client):
    account = StripeConnectAccountFactory(stripe_account_id="acct_1Oak")
    created = event(
        "payout.created", stripe_payout(status="in_transit"), account="acct_1Oak", created=T0 + 10
    )
    paid = event("payout.paid", stripe_payout(status="paid"), account="acct_1Oak", created=T0 + 20)

    deliver(api_client, created)
    deliver(api_client, paid)
    deliver(api_client, paid)

    payout = Payout.objects.get()
    assert (payout.seller, payout.account, payout.stripe_payout_id) == (account.seller, account, "po_1Oak")
    assert (payout.amount_minor, payout.amount, payout.currency, payout.status) == (
        12345,
        Decimal("123.45"),
        "USD",
        "paid",
    )
    assert payout.arrival_date == date(2026, 11, 26)
    assert ConnectWebhookEvent.objects.count() == 2


def test_a_failed_payout_keeps_the_failure_and_a_late_event_is_ignored(fake_stripe, api_client):
    StripeConnectAccountFactory(stripe_account_id="acct_1Oak")
    failed = stripe_payout(
        status="failed", failure_code="account_closed", failure_message="The bank account has been closed."
    )
    deliver(api_client, event("payout.failed", failed, account="acct_1Oak", created=T0 + 30))
    deliver(
        api_client,
        event("payout.updated", stripe_payout(status="in_transit"), account="acct_1Oak", created=T0),
    )

    payout = Payout.objects.get()
    assert (payout.status, payout.failure_code, payout.failure_message) == (
        "failed",
        "account_closed",
        "The bank account has been closed.",
    )


def test_a_zero_decimal_payout_amount(fake_stripe, api_client):
    StripeConnectAccountFactory(stripe_account_id="acct_1Tokyo")
    body = event("payout.paid", stripe_payout("po_1Yen", amount=15046, currency="jpy"), account="acct_1Tokyo")

    deliver(api_client, body)

    payout = Payout.objects.get()
    assert (payout.amount, payout.currency) == (Decimal("15046"), "JPY")


def test_a_payout_of_an_unknown_account_is_ignored(fake_stripe, api_client):
    deliver(api_client, event("payout.paid", stripe_payout(), account="acct_1Nobody"))

    assert not Payout.objects.exists()
    assert ConnectWebhookEvent.objects.get().note == "unknown account"


def test_a_malformed_payout_object_is_stored_as_ignored(fake_stripe, api_client):
    StripeConnectAccountFactory(stripe_account_id="acct_1Oak")
    body = event("payout.paid", {"id": "po_1Bad", "object": "payout"}, account="acct_1Oak")

    assert deliver(api_client, body).status_code == 200
    assert not Payout.objects.exists()
    assert ConnectWebhookEvent.objects.get().note == "malformed payout.paid object"
