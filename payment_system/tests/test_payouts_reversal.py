"""A refund after release takes the seller's share back: a transfer reversal at Stripe."""

import uuid
from decimal import Decimal

import pytest

from designiaBackend.observability import metrics
from payment_system.payments.models import Refund, SellerTransaction
from payment_system.payments.refunds import refund_apply_status
from payment_system.payouts.models import Transfer, TransferReversal
from payment_system.payouts.release import seller_transaction_release
from payment_system.tests.payouts_factories import held_transaction, route_reversals, route_transfers

pytestmark = pytest.mark.django_db


@pytest.fixture
def released(fake_stripe):
    route_transfers(fake_stripe)
    route_reversals(fake_stripe)
    row = held_transaction()  # 78.09 transferred of 90.00 gross
    assert seller_transaction_release(seller_transaction_id=row.pk).outcome == "released"
    return row


def refund_succeeds(row, amount, django_capture_on_commit_callbacks):
    refund = Refund.objects.create(
        payment=row.payment,
        order=row.order,
        amount=amount,
        currency=row.currency,
        reason="return",
        status=Refund.Status.REQUESTED,
        provider_refund_id=f"re_{uuid.uuid4().hex[:10]}",
        idempotency_key=f"refund-{uuid.uuid4().hex}",
    )
    with django_capture_on_commit_callbacks(execute=True):
        refund_apply_status(refund_id=refund.pk, status="succeeded")
    return refund


def reversal_requests(fake_stripe):
    return fake_stripe.requests_to("POST", r"/v1/transfers/[^/]+/reversals")


def test_a_full_refund_after_release_reverses_the_whole_transfer(
    released, fake_stripe, django_capture_on_commit_callbacks
):
    reversed_before = metrics.TRANSFERS.labels(outcome="reversed")._value.get()
    transfer = Transfer.objects.get(seller_transaction=released)

    refund = refund_succeeds(released, Decimal("90.00"), django_capture_on_commit_callbacks)

    [request] = reversal_requests(fake_stripe)
    assert request.path == f"/v1/transfers/{transfer.stripe_transfer_id}/reversals"
    assert request.form["amount"] == "7809"
    assert request.idempotency_key == f"reversal-{transfer.pk}-{refund.pk}"
    assert request.form["metadata[refund_id]"] == str(refund.pk)
    transfer.refresh_from_db()
    assert (transfer.status, transfer.amount_reversed) == ("reversed", Decimal("78.09"))
    reversal = TransferReversal.objects.get(transfer=transfer)
    assert (reversal.status, reversal.amount) == ("succeeded", Decimal("78.09"))
    assert reversal.stripe_reversal_id.startswith("trr_test_")
    assert metrics.TRANSFERS.labels(outcome="reversed")._value.get() == reversed_before + 1


def test_a_partial_refund_reverses_the_sellers_share_once(
    released, fake_stripe, django_capture_on_commit_callbacks
):
    refund = refund_succeeds(released, Decimal("30.00"), django_capture_on_commit_callbacks)
    # The same provider answer delivered again (webhook after API answer): nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        refund_apply_status(refund_id=refund.pk, status="succeeded")

    # 78.09 x 30 / 90 = 26.03
    [request] = reversal_requests(fake_stripe)
    assert request.form["amount"] == "2603"
    transfer = Transfer.objects.get(seller_transaction=released)
    assert (transfer.status, transfer.amount_reversed) == ("partially_reversed", Decimal("26.03"))

    refund_succeeds(released, Decimal("60.00"), django_capture_on_commit_callbacks)

    amounts = [r.form["amount"] for r in reversal_requests(fake_stripe)]
    assert amounts == ["2603", "5206"]  # 26.03 + 52.06 = 78.09, the whole transfer
    transfer.refresh_from_db()
    assert (transfer.status, transfer.amount_reversed) == ("reversed", Decimal("78.09"))


def test_a_refund_while_funds_are_held_reverses_nothing(fake_stripe, django_capture_on_commit_callbacks):
    route_reversals(fake_stripe)
    row = held_transaction()

    refund_succeeds(row, Decimal("90.00"), django_capture_on_commit_callbacks)

    assert reversal_requests(fake_stripe) == []
    assert SellerTransaction.objects.get(pk=row.pk).status == SellerTransaction.Status.REFUNDED
    assert not TransferReversal.objects.exists()


def test_a_refused_reversal_is_recorded_failed(released, fake_stripe, django_capture_on_commit_callbacks):
    fake_stripe.on(
        "POST",
        r"/v1/transfers/[^/]+/reversals",
        (400, {"error": {"type": "invalid_request_error", "message": "Insufficient funds in the account."}}),
    )

    refund_succeeds(released, Decimal("90.00"), django_capture_on_commit_callbacks)

    reversal = TransferReversal.objects.get()
    assert reversal.status == "failed"
    assert reversal.last_error.endswith("Insufficient funds in the account.")
    transfer = Transfer.objects.get(seller_transaction=released)
    assert (transfer.status, transfer.amount_reversed) == ("succeeded", Decimal("0.00"))
