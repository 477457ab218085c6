"""Reconciliation with Stripe's balance transactions (``manage.py reconcile_payments``, daily task)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from payment_system.payments.models import Payment
from payment_system.payouts.models import ReconciliationReport, Transfer, TransferReversal
from payment_system.Tasks import reconcile_payments_task
from payment_system.tests.payouts_factories import held_transaction

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)
NOON = datetime(2026, 11, 20, 12, tzinfo=UTC)


def balance_transaction(txn_id, txn_type, source, amount, *, currency="usd"):
    return {
        "id": txn_id,
        "object": "balance_transaction",
        "type": txn_type,
        "source": source,
        "amount": amount,
        "currency": currency,
        "created": int(NOON.timestamp()),
    }


def route_balance(fake_stripe, rows):
    fake_stripe.on(
        "GET",
        r"/v1/balance_transactions",
        (200, {"object": "list", "url": "/v1/balance_transactions", "has_more": False, "data": rows}),
    )


@pytest.fixture
def records():
    """On DAY: two Stripe payments (90.00 each), a transfer of 78.09 and a reversal of 26.03."""
    first, second = held_transaction(), held_transaction(charge_id="")
    Payment.objects.filter(pk__in=[first.payment_id, second.payment_id]).update(paid_at=NOON)
    transfer = Transfer.objects.create(
        seller_transaction=first,
        seller=first.seller,
        order=first.order,
        destination="acct_x",
        amount=Decimal("78.09"),
        currency="USD",
        status="partially_reversed",
        amount_reversed=Decimal("26.03"),
        stripe_transfer_id="tr_local_1",
        transferred_at=NOON,
    )
    reversal = TransferReversal.objects.create(
        transfer=transfer,
        amount=Decimal("26.03"),
        status="succeeded",
        stripe_reversal_id="trr_1",
        idempotency_key="k1",
    )
    TransferReversal.objects.filter(pk=reversal.pk).update(updated_at=NOON)
    return first, second, transfer, reversal


def test_matching_records_give_an_ok_report(fake_stripe, records):
    first, second, _transfer, _reversal = records
    route_balance(
        fake_stripe,
        [
            balance_transaction("txn_1", "charge", {"id": first.payment.charge_id, "object": "charge"}, 9000),
            balance_transaction(
                "txn_2",
                "charge",
                {"id": "ch_other", "payment_intent": second.payment.payment_intent_id},
                9000,
            ),
            balance_transaction("txn_3", "transfer", {"id": "tr_local_1", "object": "transfer"}, -7809),
            balance_transaction("txn_4", "transfer_refund", {"id": "trr_1"}, 2603),
            balance_transaction("txn_5", "stripe_fee", {"id": "fee_1"}, -500),  # not reconciled
        ],
    )
    out = StringIO()

    call_command("reconcile_payments", "--date", "2026-11-20", stdout=out)

    report = ReconciliationReport.objects.get()
    assert (report.date, report.status, report.checked_local, report.checked_stripe) == (DAY, "ok", 4, 4)
    assert report.differences == []
    assert out.getvalue().startswith("Reconciliation of 2026-11-20: ok, 4 local records, 4 Stripe")
    [request] = fake_stripe.requests_to("GET", r"/v1/balance_transactions")
    assert request.query["created[gte]"] == str(int(datetime(2026, 11, 20, tzinfo=UTC).timestamp()))
    assert request.query["created[lt]"] == str(int(datetime(2026, 11, 21, tzinfo=UTC).timestamp()))
    assert request.query["expand[0]"] == "data.source"


def test_a_seeded_mismatch_is_reported(fake_stripe, records):
    first, second, transfer, reversal = records
    route_balance(
        fake_stripe,
        [
            balance_transaction("txn_1", "charge", {"id": first.payment.charge_id}, 9000),
            balance_transaction("txn_3", "transfer", {"id": "tr_local_1"}, -7000),  # Stripe moved less
            balance_transaction("txn_4", "transfer_refund", {"id": "trr_1"}, 2603),
            balance_transaction("txn_9", "transfer", {"id": "tr_unknown"}, -1500),  # not ours
        ],
    )
    out = StringIO()

    call_command("reconcile_payments", "--date", "2026-11-20", stdout=out)

    report = ReconciliationReport.objects.get()
    assert report.status == "mismatch"
    assert report.differences == [
        {
            "kind": "payment",
            "local_id": str(second.payment_id),
            "stripe_id": second.payment.payment_intent_id,
            "problem": "missing_at_stripe",
            "local_amount": 9000,
        },
        {
            "kind": "transfer",
            "local_id": str(transfer.pk),
            "stripe_id": "tr_local_1",
            "problem": "amount_mismatch",
            "local_amount": -7809,
            "stripe_amount": -7000,
            "local_currency": "USD",
            "stripe_currency": "USD",
        },
        {
            "kind": "transfer",
            "local_id": "",
            "stripe_id": "tr_unknown",
            "balance_transaction": "txn_9",
            "problem": "missing_locally",
            "stripe_amount": -1500,
        },
    ]
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Reconciliation of 2026-11-20: mismatch, 4 local records, 4 Stripe")
    assert "3 differences" in lines[0]
    assert "problem=amount_mismatch" in lines[2] and "stripe_amount=-7000" in lines[2]


def test_stripe_refusing_the_listing_fails_the_command_and_stores_a_failed_report(fake_stripe, records):
    fake_stripe.on(
        "GET",
        r"/v1/balance_transactions",
        (401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided."}}),
    )

    with pytest.raises(CommandError, match="Reconciliation of 2026-11-20 failed"):
        call_command("reconcile_payments", "--date", "2026-11-20", stdout=StringIO())

    report = ReconciliationReport.objects.get()
    assert report.status == "failed"
    assert "Invalid API Key" in report.error


def test_a_bad_date_is_refused(fake_stripe):
    with pytest.raises(CommandError, match="--date must be YYYY-MM-DD"):
        call_command("reconcile_payments", "--date", "20/11/2026")
    assert not ReconciliationReport.objects.exists()


def test_the_daily_task_reports_the_given_day(fake_stripe, records):
    route_balance(fake_stripe, [])

    result = reconcile_payments_task.delay("2026-11-20").get()

    report = ReconciliationReport.objects.get()
    assert result == {"report_id": report.pk, "status": "mismatch", "differences": 4}
    assert (report.date, report.checked_local) == (DAY, 4)


def test_the_daily_task_checks_yesterday_by_default(fake_stripe):
    route_balance(fake_stripe, [])

    reconcile_payments_task.delay().get()

    report = ReconciliationReport.objects.get()
    assert report.date == datetime.now(tz=UTC).date() - timedelta(days=1)
    assert report.status == "ok"
