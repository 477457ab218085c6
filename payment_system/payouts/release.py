"""Releasing held seller funds: a Stripe transfer to the seller's connected account.

Each release runs under the order's and the transaction's row locks (order first, as in every
payment flow) and re-checks the state inside them, so a transaction is transferred at most once
however many task runs or admin clicks race. The transfer request carries an idempotency key per
transaction and attempt, so a retry after a timeout gets back the transfer Stripe already made.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from designiaBackend.money import ZERO
from designiaBackend.observability import metrics
from infrastructure.payments import PaymentProviderError, PaymentProviderUnavailable
from infrastructure.payments.transfers import TransferGateway, TransferRequest, get_transfer_gateway
from marketplace.lock_objects import order_for_update
from payment_system.connect.selectors import connect_account_get_for_seller
from payment_system.lock_objects import (
    seller_transaction_for_update,
    transfer_of_seller_transaction_for_update,
)
from payment_system.payments.models import Payment, SellerTransaction
from payment_system.payouts.models import Transfer
from payment_system.payouts.rules import HoldReason, blocking_reason, releasable_amount

if TYPE_CHECKING:
    from marketplace.ordering.models import Order


logger = logging.getLogger(__name__)

HELD = SellerTransaction.Status.HELD


class ReleaseOutcome:
    RELEASED = "released"
    SKIPPED = "skipped"  # not held or not due any more (another run released it, say)
    BLOCKED = "blocked"  # due, but kept held (``reason``)
    FAILED = "failed"  # Stripe refused or could not be reached; recorded on the transfer


@dataclass(frozen=True)
class ReleaseResult:
    seller_transaction_id: int
    outcome: str
    reason: str = ""
    transfer: Transfer | None = None


def seller_transactions_due_ids(*, now: datetime, limit: int, after_pk: int = 0) -> list[int]:
    return list(
        SellerTransaction.objects.filter(status=HELD, held_until__lte=now, pk__gt=after_pk)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def seller_transactions_release_due(*, now: datetime | None = None, batch_size: int = 200) -> dict[str, int]:
    """Release every held transaction whose hold has ended (in pk order, ``batch_size`` ids at a
    time, so transactions kept held never starve the others); returns the count per outcome."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    after_pk = 0
    while ids := seller_transactions_due_ids(now=now, limit=batch_size, after_pk=after_pk):
        for pk in ids:
            result = seller_transaction_release(seller_transaction_id=pk, now=now)
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
        after_pk = ids[-1]
    return counts


def _lock(seller_transaction_id: int) -> tuple[Order, SellerTransaction]:
    order_id = (
        SellerTransaction.objects.filter(pk=seller_transaction_id).values_list("order_id", flat=True).first()
    )
    if order_id is None:
        raise SellerTransaction.DoesNotExist(seller_transaction_id)
    order = order_for_update(order_id)
    row = seller_transaction_for_update(seller_transaction_id)
    return order, row


@transaction.atomic
def seller_transaction_release(
    *, seller_transaction_id: int, now: datetime | None = None, force: bool = False, new_attempt: bool = False
) -> ReleaseResult:
    """Transfer one held transaction's net to the seller. ``force`` ignores the release date
    (staff's "release now"); ``new_attempt`` retries a transfer Stripe refused, with a new key."""
    now = now or timezone.now()
    order, row = _lock(seller_transaction_id)
    due = row.held_until is not None and row.held_until <= now
    if row.status != HELD or not (due or force):
        return ReleaseResult(
            row.pk, ReleaseOutcome.SKIPPED, f"status {row.status}, held until {row.held_until}"
        )
    transfer = transfer_of_seller_transaction_for_update(row.pk)
    if transfer is not None and new_attempt and transfer.status == Transfer.Status.FAILED:
        if not transfer.failure_retryable:
            transfer.attempt += 1
        transfer.failure_retryable = True
    account = connect_account_get_for_seller(seller=row.seller)
    reason = blocking_reason(order=order, account=account, transfer=transfer)
    if reason is not None or account is None:  # no account: blocking_reason says so
        return ReleaseResult(
            row.pk, ReleaseOutcome.BLOCKED, reason or HoldReason.PAYOUTS_NOT_ENABLED, transfer
        )
    amount = releasable_amount(row)
    if amount <= ZERO:
        return ReleaseResult(row.pk, ReleaseOutcome.BLOCKED, "nothing left to transfer", transfer)
    transfer = transfer or Transfer(seller_transaction=row, seller_id=row.seller_id, order=order)
    transfer.destination = account.stripe_account_id
    transfer.amount, transfer.currency = amount, row.currency
    return _transfer(row, transfer, now)


def _charge_id(payment: Payment, gateway: TransferGateway) -> str:
    """The charge behind the payment (``source_transaction``), looked up once and stored."""
    if payment.charge_id or not payment.payment_intent_id:
        return payment.charge_id
    charge_id = gateway.charge_id_for_payment_intent(payment.payment_intent_id)
    if charge_id:
        Payment.objects.filter(pk=payment.pk).update(charge_id=charge_id)
    return charge_id


def _transfer(row: SellerTransaction, transfer: Transfer, now: datetime) -> ReleaseResult:
    gateway = get_transfer_gateway()
    try:
        transfer.source_transaction = _charge_id(row.payment, gateway)
        result = gateway.create_transfer(
            TransferRequest(
                amount=transfer.amount,
                currency=transfer.currency,
                destination=transfer.destination,
                transfer_group=str(row.order_id),
                source_transaction=transfer.source_transaction,
                idempotency_key=transfer.idempotency_key,
                metadata={"seller_transaction_id": str(row.pk), "order_id": str(row.order_id)},
            )
        )
    except PaymentProviderError as exc:
        return _record_failure(row, transfer, exc)
    transfer.status = Transfer.Status.SUCCEEDED
    transfer.stripe_transfer_id = result.id
    transfer.transferred_at = now
    transfer.refunded_before = row.refunded_amount
    transfer.failure_retryable, transfer.last_error = False, ""
    transfer.save()
    row.status = SellerTransaction.Status.RELEASED
    row.released_at = now
    row.save(update_fields=["status", "released_at", "updated_at"])
    metrics.TRANSFERS.labels(outcome="created").inc()
    logger.info(
        "Released seller transaction %s: %s %s as %s", row.pk, transfer.amount, row.currency, result.id
    )
    return ReleaseResult(row.pk, ReleaseOutcome.RELEASED, "", transfer)


def _record_failure(row: SellerTransaction, transfer: Transfer, exc: PaymentProviderError) -> ReleaseResult:
    retryable = isinstance(exc, PaymentProviderUnavailable)
    transfer.status = Transfer.Status.FAILED
    transfer.failure_retryable = retryable
    transfer.last_error = str(exc)[:500]
    transfer.save()
    metrics.TRANSFERS.labels(outcome="failed").inc()
    logger.warning(
        "Transfer of seller transaction %s failed (%s): %s",
        row.pk,
        "will retry" if retryable else "needs staff",
        exc,
    )
    reason = "" if retryable else HoldReason.TRANSFER_FAILED
    return ReleaseResult(row.pk, ReleaseOutcome.FAILED, reason or "provider unavailable", transfer)


@transaction.atomic
def seller_transaction_hold(*, seller_transaction_id: int) -> bool:
    """Staff pause: a held transaction loses its release date until released by hand."""
    _order, row = _lock(seller_transaction_id)
    if row.status != HELD:
        return False
    row.held_until = None
    row.save(update_fields=["held_until", "updated_at"])
    return True


def transfer_retry(*, transfer_id: int) -> ReleaseResult:
    """Staff retry of a failed transfer (a new idempotency key when Stripe refused the last one)."""
    seller_transaction_id = Transfer.objects.values_list("seller_transaction_id", flat=True).get(
        pk=transfer_id
    )
    return seller_transaction_release(
        seller_transaction_id=seller_transaction_id, force=True, new_attempt=True
    )
