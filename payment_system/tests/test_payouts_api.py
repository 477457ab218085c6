"""Seller API: held funds (``/stripe/holds/``), payouts list and detail with the orders they carried."""

import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from authentication.tests.factories import UserFactory
from conftest import STRIPE_TEST_CONNECT_WEBHOOK_SECRET
from payment_system.connect.models import Payout
from payment_system.payments.models import SellerTransaction
from payment_system.payouts.models import Transfer
from payment_system.payouts.release import seller_transaction_release
from payment_system.tests.fake_stripe import event, sign_webhook
from payment_system.tests.payouts_factories import (
    connected_seller,
    held_transaction,
    open_return,
    payout,
    route_transfers,
)
from payment_system.tests.stripe_objects import stripe_payout

pytestmark = pytest.mark.django_db

HOLDS = "/api/payments/stripe/holds/"
PAYOUTS = "/api/payments/payouts/"


def release(row):
    assert seller_transaction_release(seller_transaction_id=row.pk).outcome == "released"
    return Transfer.objects.get(seller_transaction=row)


def test_holds_show_every_amount_and_why_each_transaction_is_held(
    auth_client, fake_stripe, django_assert_max_num_queries
):
    route_transfers(fake_stripe)
    seller = connected_seller()
    transferred = held_transaction(seller=seller)  # 78.09 net
    release(transferred)
    due = held_transaction(
        seller=seller, gross=Decimal("50.00"), platform_fee=Decimal("5.00"), stripe_fee=Decimal("1.75")
    )
    future = timezone.now() + timedelta(days=3)
    waiting = held_transaction(
        seller=seller,
        gross=Decimal("20.00"),
        platform_fee=Decimal("2.00"),
        stripe_fee=Decimal("0.88"),
        held_until=future,
    )
    disputed = held_transaction(
        seller=seller,
        gross=Decimal("10.00"),
        platform_fee=Decimal("1.00"),
        stripe_fee=Decimal("0.59"),
        needs_review=True,
    )
    returning = held_transaction(
        seller=seller, gross=Decimal("30.00"), platform_fee=Decimal("3.00"), stripe_fee=Decimal("1.17")
    )
    open_return(returning.order)
    held_transaction(
        seller=seller,
        status=SellerTransaction.Status.PENDING,
        gross=Decimal("40.00"),
        platform_fee=Decimal("4.00"),
        stripe_fee=Decimal("1.46"),
    )
    payout(seller, amount_minor=7809)
    payout(seller, amount_minor=1000, status=Payout.Status.IN_TRANSIT)
    held_transaction()  # another seller's

    with django_assert_max_num_queries(12):
        response = auth_client(seller).get(HOLDS)

    assert response.status_code == 200
    body = response.json()
    assert body["payouts_enabled"] is True
    assert body["totals"] == [
        {
            "currency": "USD",
            "pending_delivery": "34.54",
            "held": "94.61",  # 43.25 + 17.12 + 8.41 + 25.83
            "releasable": "43.25",
            "transferred": "78.09",
            "paid_out": "78.09",
        }
    ]
    by_id = {item["id"]: item for item in body["held_transactions"]}
    assert set(by_id) == {str(row.pk) for row in (due, waiting, disputed, returning)}
    assert by_id[str(due.pk)] == {
        "id": str(due.pk),
        "order_id": str(due.order_id),
        "amount": "43.25",
        "currency": "USD",
        "held_until": due.held_until.isoformat().replace("+00:00", "Z"),
        "releasable": True,
        "reason": "",
    }
    assert (by_id[str(waiting.pk)]["reason"], by_id[str(waiting.pk)]["amount"]) == ("hold_period", "17.12")
    assert (by_id[str(disputed.pk)]["reason"], by_id[str(disputed.pk)]["amount"]) == ("dispute", "8.41")
    assert (by_id[str(returning.pk)]["reason"], by_id[str(returning.pk)]["amount"]) == (
        "open_return",
        "25.83",
    )


def test_holds_of_a_seller_without_payouts_say_so(auth_client):
    seller = connected_seller(payouts_enabled=False)
    row = held_transaction(seller=seller)

    body = auth_client(seller).get(HOLDS).json()

    assert body["payouts_enabled"] is False
    assert body["totals"][0]["releasable"] == "0.00"
    assert body["held_transactions"][0]["id"] == str(row.pk)
    assert body["held_transactions"][0]["reason"] == "payouts_not_enabled"


def test_non_sellers_are_refused_and_anonymous_callers_must_sign_in(auth_client, api_client):
    customer = UserFactory()
    for url in (HOLDS, PAYOUTS, f"{PAYOUTS}1/"):
        response = auth_client(customer).get(url)
        assert response.status_code == 403, url
        assert response.json() == {
            "detail": "Only sellers can do this.",
            "error": "Only sellers can do this.",
            "code": "permission_denied",
        }
        assert api_client.get(url).status_code == 401


def deliver_payout_paid(api_client, account_id, *, payout_id, amount, created):
    body = event(
        "payout.paid",
        stripe_payout(payout_id, amount=amount, status="paid", created=created),
        account=account_id,
        created=created,
    )
    payload = json.dumps(body)
    response = api_client.post(
        "/api/payments/stripe_connect_webhook/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_webhook(payload, STRIPE_TEST_CONNECT_WEBHOOK_SECRET),
    )
    assert response.status_code == 200, response.content


def test_a_paid_payout_lists_the_orders_whose_transfers_it_carried(auth_client, api_client, fake_stripe):
    route_transfers(fake_stripe)
    seller = connected_seller()
    account_id = seller.stripe_connect_account.stripe_account_id
    first, second = held_transaction(seller=seller), held_transaction(seller=seller)
    release(first), release(second)
    later = held_transaction(seller=seller, held_until=timezone.now() + timedelta(days=1))

    deliver_payout_paid(
        api_client, account_id, payout_id="po_seller_1", amount=15618, created=int(time.time()) + 5
    )
    stored = Payout.objects.get(stripe_payout_id="po_seller_1")
    assert set(stored.orders.values_list("pk", flat=True)) == {first.order_id, second.order_id}
    assert later.order_id not in set(stored.orders.values_list("pk", flat=True))

    listing = auth_client(seller).get(PAYOUTS)
    assert listing.status_code == 200
    page = listing.json()
    assert (page["count"], page["page"], page["num_pages"], page["has_next"]) == (1, 1, 1, False)
    [item] = page["results"]
    assert item["id"] == str(stored.pk)
    assert (item["stripe_payout_id"], item["amount"], item["currency"], item["status"]) == (
        "po_seller_1",
        "156.18",
        "USD",
        "paid",
    )
    assert item["order_count"] == 2

    detail = auth_client(seller).get(f"{PAYOUTS}{stored.pk}/")
    assert detail.status_code == 200
    orders = detail.json()["orders"]
    assert [o["order_id"] for o in orders] == [str(first.order_id), str(second.order_id)]
    assert [o["amount"] for o in orders] == ["78.09", "78.09"]
    assert orders[0]["transfer_id"] == Transfer.objects.get(seller_transaction=first).stripe_transfer_id
    assert detail.json()["order_count"] == 2


def test_a_failed_payout_gives_its_transfers_back(api_client, fake_stripe):
    route_transfers(fake_stripe)
    seller = connected_seller()
    account_id = seller.stripe_connect_account.stripe_account_id
    row = held_transaction(seller=seller)
    release(row)
    created = int(time.time()) + 5
    deliver_payout_paid(api_client, account_id, payout_id="po_seller_2", amount=7809, created=created)
    body = event(
        "payout.failed",
        stripe_payout(
            "po_seller_2", amount=7809, status="failed", created=created, failure_code="account_closed"
        ),
        account=account_id,
        created=created + 10,
    )
    payload = json.dumps(body)
    api_client.post(
        "/api/payments/stripe_connect_webhook/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign_webhook(payload, STRIPE_TEST_CONNECT_WEBHOOK_SECRET),
    )

    stored = Payout.objects.get(stripe_payout_id="po_seller_2")
    assert stored.status == "failed"
    assert list(stored.orders.all()) == []
    assert Transfer.objects.get(seller_transaction=row).payout is None


def test_a_seller_reading_another_sellers_payout_gets_404(auth_client):
    owner, other = connected_seller(), connected_seller()
    theirs = payout(owner)
    payout(other)

    response = auth_client(other).get(f"{PAYOUTS}{theirs.pk}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    listing = auth_client(other).get(PAYOUTS).json()
    assert theirs.pk not in [item["id"] for item in listing["results"]]
    assert listing["count"] == 1


def test_payouts_are_paginated_newest_first(auth_client, django_assert_max_num_queries):
    seller = connected_seller()
    made = [payout(seller, amount_minor=100 * (n + 1)) for n in range(3)]

    with django_assert_max_num_queries(6):
        response = auth_client(seller).get(PAYOUTS, {"page_size": 2})

    page = response.json()
    assert (page["count"], page["num_pages"], page["has_next"]) == (3, 2, True)
    assert [item["id"] for item in page["results"]] == [str(made[2].pk), str(made[1].pk)]
    assert auth_client(seller).get(PAYOUTS, {"page": 9}).status_code == 404
