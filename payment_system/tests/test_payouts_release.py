"""Release of held funds: Stripe transfers to sellers' connected accounts (Stripe faked over HTTP)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from designiaBackend.observability import metrics
from payment_system.connect.models import StripeConnectAccount
from payment_system.payments.models import Payment, SellerTransaction
from payment_system.payouts.models import Transfer
from payment_system.payouts.release import seller_transaction_release, transfer_retry
from payment_system.Tasks import release_held_funds_task
from payment_system.tests.payouts_factories import (  # noqa: F401 - the worker fixture
    connected_seller,
    held_transaction,
    open_return,
    route_transfers,
    stripe_celery_worker,
)

HELD = SellerTransaction.Status.HELD


def transfer_requests(fake_stripe):
    return fake_stripe.requests_to("POST", r"/v1/transfers")


def counter(outcome):
    return metrics.TRANSFERS.labels(outcome=outcome)._value.get()


@pytest.mark.usefixtures("stripe_celery_worker")
def test_the_release_task_run_twice_at_once_on_a_real_worker_transfers_once(fake_stripe):
    route_transfers(fake_stripe, delay=0.5)  # a slow Stripe: the two runs overlap
    row = held_transaction()  # 90.00 gross - 9.00 platform fee - 2.91 Stripe fee = 78.09 net
    not_due = held_transaction(held_until=timezone.now() + timedelta(days=2))
    account = StripeConnectAccount.objects.get(seller=row.seller)

    runs = [release_held_funds_task.delay(), release_held_funds_task.delay()]
    outcomes = [run.get(timeout=60) for run in runs]

    [request] = transfer_requests(fake_stripe)
    assert request.idempotency_key == f"transfer-{row.pk}-1"
    assert request.form["amount"] == "7809"
    assert request.form["currency"] == "usd"
    assert request.form["destination"] == account.stripe_account_id
    assert request.form["transfer_group"] == str(row.order_id)
    assert request.form["source_transaction"] == row.payment.charge_id
    assert request.form["metadata[seller_transaction_id]"] == str(row.pk)
    assert sum(outcome.get("released", 0) for outcome in outcomes) == 1
    row.refresh_from_db()
    assert row.status == SellerTransaction.Status.RELEASED
    assert row.released_at is not None
    transfer = Transfer.objects.get(seller_transaction=row)
    assert (transfer.status, transfer.amount, transfer.currency) == ("succeeded", Decimal("78.09"), "USD")
    assert transfer.stripe_transfer_id.startswith("tr_test_")
    assert transfer.destination == account.stripe_account_id
    assert SellerTransaction.objects.get(pk=not_due.pk).status == HELD
    assert not Transfer.objects.filter(seller_transaction=not_due).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case",
    ["hold_period", "dispute", "open_return", "payouts_disabled", "no_account", "staff_hold"],
)
def test_funds_that_must_stay_held_are_not_transferred(fake_stripe, case):
    route_transfers(fake_stripe)
    seller = connected_seller(payouts_enabled=case != "payouts_disabled")
    if case == "no_account":
        StripeConnectAccount.objects.filter(seller=seller).delete()
    held_until = {"hold_period": timezone.now() + timedelta(hours=1)}.get(case)
    row = held_transaction(seller=seller, needs_review=case == "dispute", held_until=held_until)
    if case == "open_return":
        open_return(row.order)
    if case == "staff_hold":
        SellerTransaction.objects.filter(pk=row.pk).update(held_until=None)

    release_held_funds_task.delay()

    assert transfer_requests(fake_stripe) == []
    row.refresh_from_db()
    assert (row.status, row.released_at) == (HELD, None)
    assert not Transfer.objects.exists()


@pytest.mark.django_db
def test_blocked_transactions_do_not_starve_the_rest_of_the_run(fake_stripe):
    route_transfers(fake_stripe)
    blocked = [held_transaction(needs_review=True) for _ in range(3)]
    releasable = held_transaction()

    outcomes = release_held_funds_task.delay(batch_size=2).get()

    assert outcomes == {"blocked": 3, "released": 1}
    [request] = transfer_requests(fake_stripe)
    assert request.idempotency_key == f"transfer-{releasable.pk}-1"
    assert {row.pk for row in blocked} == set(
        SellerTransaction.objects.filter(status=HELD).values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_a_second_run_does_not_transfer_again(fake_stripe):
    route_transfers(fake_stripe)
    row = held_transaction()
    created_before = counter("created")

    first = release_held_funds_task.delay().get()
    second = release_held_funds_task.delay().get()
    again = seller_transaction_release(seller_transaction_id=row.pk, force=True)

    assert first == {"released": 1}
    assert second == {}
    assert again.outcome == "skipped"
    assert len(transfer_requests(fake_stripe)) == 1
    assert counter("created") == created_before + 1


@pytest.mark.django_db
def test_a_refused_transfer_is_recorded_kept_held_and_retried_by_staff_with_a_new_key(fake_stripe):
    route_transfers(fake_stripe, status=400)
    row = held_transaction()
    failed_before = counter("failed")

    assert release_held_funds_task.delay().get() == {"failed": 1}
    transfer = Transfer.objects.get(seller_transaction=row)
    assert (transfer.status, transfer.failure_retryable, transfer.attempt) == ("failed", False, 1)
    assert transfer.last_error.endswith("Transfers are not possible now.")
    assert transfer.stripe_transfer_id is None
    assert SellerTransaction.objects.get(pk=row.pk).status == HELD
    assert counter("failed") == failed_before + 1

    # A terminal failure is not retried by the hourly run ...
    assert release_held_funds_task.delay().get() == {"blocked": 1}
    assert len(transfer_requests(fake_stripe)) == 1

    # ... but by staff, under a new idempotency key once Stripe accepts.
    route_transfers(fake_stripe)
    result = transfer_retry(transfer_id=transfer.pk)

    assert result.outcome == "released"
    keys = [r.idempotency_key for r in transfer_requests(fake_stripe)]
    assert keys == [f"transfer-{row.pk}-1", f"transfer-{row.pk}-2"]
    transfer.refresh_from_db()
    assert (transfer.status, transfer.attempt, transfer.last_error) == ("succeeded", 2, "")
    assert SellerTransaction.objects.get(pk=row.pk).status == SellerTransaction.Status.RELEASED


@pytest.mark.django_db
def test_an_outage_is_retryable_and_the_next_run_reuses_the_key(fake_stripe):
    route_transfers(fake_stripe, status=500, error_type="api_error")
    row = held_transaction()

    assert release_held_funds_task.delay().get() == {"failed": 1}
    transfer = Transfer.objects.get(seller_transaction=row)
    assert (transfer.status, transfer.failure_retryable) == ("failed", True)

    route_transfers(fake_stripe)
    assert release_held_funds_task.delay().get() == {"released": 1}

    keys = {r.idempotency_key for r in transfer_requests(fake_stripe)}
    assert keys == {f"transfer-{row.pk}-1"}
    transfer.refresh_from_db()
    assert (transfer.status, transfer.attempt) == ("succeeded", 1)


@pytest.mark.django_db
def test_a_refund_before_release_reduces_the_transfer(fake_stripe):
    route_transfers(fake_stripe)
    row = held_transaction()
    SellerTransaction.objects.filter(pk=row.pk).update(refunded_amount=Decimal("45.00"))

    release_held_funds_task.delay()

    # 78.09 net x (90 - 45) / 90 = 39.045, rounded down to the cent.
    [request] = transfer_requests(fake_stripe)
    assert request.form["amount"] == "3904"
    assert Transfer.objects.get(seller_transaction=row).refunded_before == Decimal("45.00")


@pytest.mark.django_db
def test_zero_decimal_currencies_are_sent_in_whole_units(fake_stripe):
    route_transfers(fake_stripe)
    held_transaction(
        gross=Decimal("9000"), platform_fee=Decimal("900"), stripe_fee=Decimal("291"), currency="JPY"
    )

    release_held_funds_task.delay()

    [request] = transfer_requests(fake_stripe)
    assert (request.form["amount"], request.form["currency"]) == ("7809", "jpy")


@pytest.mark.django_db
def test_the_charge_is_looked_up_from_the_payment_intent_once(fake_stripe):
    route_transfers(fake_stripe)
    fake_stripe.on(
        "GET",
        r"/v1/payment_intents/([^/]+)",
        lambda request, match: (
            200,
            {"id": match.group(1), "object": "payment_intent", "latest_charge": "ch_found"},
        ),
    )
    row = held_transaction(charge_id="")

    release_held_funds_task.delay()

    [request] = transfer_requests(fake_stripe)
    assert request.form["source_transaction"] == "ch_found"
    assert Payment.objects.get(pk=row.payment_id).charge_id == "ch_found"
