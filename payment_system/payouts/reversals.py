"""Taking back transferred funds when the buyer is refunded after release (transfer reversals).

The refund-success path calls ``transfer_reversals_for_refund`` inside its transaction (the order is
locked); each reversal is recorded there and sent to Stripe after commit with its own idempotency
key (``reversal-<transfer>-<refund>``), so a redelivered refund event never reverses twice.
"""

from __future__ import annotations

import logging
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from designiaBackend.api.after_commit import must_happen
from designiaBackend.currencies import quantize_money
from designiaBackend.money import ZERO
from designiaBackend.observability import metrics
from infrastructure.payments import PaymentProviderError, PaymentProviderUnavailable
from infrastructure.payments.transfers import get_transfer_gateway
from payment_system.lock_objects import transfer_reversal_for_update, transfers_of_payment_for_update
from payment_system.payouts.models import Transfer, TransferReversal

if TYPE_CHECKING:
    from payment_system.payments.models import Refund


logger = logging.getLogger(__name__)

REVERSIBLE = (Transfer.Status.SUCCEEDED, Transfer.Status.PARTIALLY_REVERSED)


def _reversal_target(transfer: Transfer) -> Decimal:
    """How much of the transfer the seller's refunds so far take back (cumulative)."""
    row = transfer.seller_transaction
    base = row.gross_amount - transfer.refunded_before
    if base <= ZERO:
        return ZERO
    refunded_since = min(max(row.refunded_amount - transfer.refunded_before, ZERO), base)
    return quantize_money(
        transfer.amount * refunded_since / base, transfer.currency, ROUND_DOWN, settlement=True
    )


def transfer_reversals_for_refund(*, refund: Refund) -> list[TransferReversal]:
    """Record the reversals a succeeded refund calls for (the seller transactions already carry the
    refund's shares) and submit them after commit. Callers hold the order's row lock."""
    transfers = transfers_of_payment_for_update(refund.payment_id, statuses=REVERSIBLE)
    created: list[TransferReversal] = []
    for transfer in transfers:
        recorded = sum(
            (r.amount for r in transfer.reversals.exclude(status=TransferReversal.Status.FAILED)), ZERO
        )
        amount = min(_reversal_target(transfer), transfer.amount) - recorded
        if amount <= ZERO:
            continue
        reversal, was_created = TransferReversal.objects.get_or_create(
            transfer=transfer,
            refund=refund,
            defaults={"amount": amount, "idempotency_key": f"reversal-{transfer.pk}-{refund.pk}"},
        )
        if was_created:
            created.append(reversal)
    if created:
        from payment_system.Tasks.payment_tasks import transfer_reversal_submit_task

        ids = [reversal.pk for reversal in created]
        for pk in ids:
            must_happen(transfer_reversal_submit_task, args=[pk], key=f"transfer-reversal-submit-{pk}")
    return created


def transfer_reversal_submit(*, reversal_id: int) -> TransferReversal:
    """Send a pending reversal to Stripe; ``PaymentProviderUnavailable`` propagates (the task retries)."""
    reversal = TransferReversal.objects.select_related("transfer").get(pk=reversal_id)
    if reversal.status != TransferReversal.Status.PENDING:
        return reversal
    transfer = reversal.transfer
    if not transfer.stripe_transfer_id:  # never made at Stripe: nothing there to take back
        return transfer_reversal_apply(
            reversal_id=reversal.pk, error="the transfer has no Stripe transfer id"
        )
    try:
        result = get_transfer_gateway().create_reversal(
            transfer_id=transfer.stripe_transfer_id,
            amount=reversal.amount,
            currency=transfer.currency,
            idempotency_key=reversal.idempotency_key,
            metadata={"refund_id": str(reversal.refund_id or ""), "order_id": str(transfer.order_id)},
        )
    except PaymentProviderUnavailable:
        raise
    except PaymentProviderError as exc:
        return transfer_reversal_apply(reversal_id=reversal.pk, error=str(exc))
    return transfer_reversal_apply(reversal_id=reversal.pk, stripe_reversal_id=result.id)


@transaction.atomic
def transfer_reversal_apply(
    *, reversal_id: int, stripe_reversal_id: str = "", error: str = ""
) -> TransferReversal:
    reversal, transfer = transfer_reversal_for_update(reversal_id)
    if reversal.status != TransferReversal.Status.PENDING:
        return reversal
    if error:
        reversal.status, reversal.last_error = TransferReversal.Status.FAILED, error[:500]
        reversal.save(update_fields=["status", "last_error", "updated_at"])
        metrics.TRANSFERS.labels(outcome="failed").inc()
        logger.error("Reversal %s of transfer %s refused by Stripe: %s", reversal.pk, transfer.pk, error)
        return reversal
    reversal.status, reversal.stripe_reversal_id = TransferReversal.Status.SUCCEEDED, stripe_reversal_id
    reversal.save(update_fields=["status", "stripe_reversal_id", "updated_at"])
    transfer.amount_reversed += reversal.amount
    fully = transfer.amount_reversed >= transfer.amount
    transfer.status = Transfer.Status.REVERSED if fully else Transfer.Status.PARTIALLY_REVERSED
    transfer.save(update_fields=["amount_reversed", "status", "updated_at"])
    metrics.TRANSFERS.labels(outcome="reversed").inc()
    return reversal
