"""Daily reconciliation: local payments, transfers and reversals against Stripe's balance transactions.

For one UTC day it lists Stripe's balance transactions (charges, transfers, transfer reversals)
and the local records of that day, matches them (charges by PaymentIntent or charge id, transfers
and reversals by their Stripe id) and stores a ``ReconciliationReport`` listing every difference:
``missing_at_stripe``, ``missing_locally`` or ``amount_mismatch`` (amounts in minor units).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from infrastructure.payments import PaymentProviderError, to_minor
from infrastructure.payments.transfers import BalanceTransaction, get_transfer_gateway
from payment_system.payments.models import Payment
from payment_system.payouts.models import ReconciliationReport, Transfer, TransferReversal

logger = logging.getLogger(__name__)

CHARGE_TYPES = frozenset({"charge", "payment"})
TRANSFER_TYPES = frozenset({"transfer"})
REVERSAL_TYPES = frozenset({"transfer_refund", "transfer_reversal"})


@dataclass(frozen=True)
class Expected:
    kind: str  # payment | transfer | transfer_reversal
    local_id: str
    keys: tuple[str, ...]  # Stripe ids that identify it (source or payment intent)
    amount: int  # minor units, signed as on Stripe's balance
    currency: str


def _day_window(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def _expected_records(start: datetime, end: datetime) -> list[Expected]:
    expected: list[Expected] = []
    payments = Payment.objects.filter(provider="stripe", paid_at__gte=start, paid_at__lt=end).order_by("pk")
    for payment in payments:
        keys = tuple(k for k in (payment.charge_id, payment.payment_intent_id) if k)
        amount = to_minor(payment.amount, payment.currency)
        expected.append(Expected("payment", str(payment.pk), keys, amount, payment.currency.upper()))
    transfers = Transfer.objects.filter(
        stripe_transfer_id__isnull=False, transferred_at__gte=start, transferred_at__lt=end
    ).order_by("pk")
    for transfer in transfers:
        amount = -to_minor(transfer.amount, transfer.currency)
        keys = tuple(k for k in (transfer.stripe_transfer_id,) if k)
        expected.append(Expected("transfer", str(transfer.pk), keys, amount, transfer.currency.upper()))
    reversals = TransferReversal.objects.filter(
        status=TransferReversal.Status.SUCCEEDED, updated_at__gte=start, updated_at__lt=end
    ).select_related("transfer")
    for reversal in reversals.order_by("pk"):
        currency = reversal.transfer.currency
        amount = to_minor(reversal.amount, currency)
        keys = tuple(k for k in (reversal.stripe_reversal_id,) if k)
        expected.append(Expected("transfer_reversal", str(reversal.pk), keys, amount, currency.upper()))
    return expected


def _tracked(balance_transactions: Iterable[BalanceTransaction]) -> list[BalanceTransaction]:
    tracked = CHARGE_TYPES | TRANSFER_TYPES | REVERSAL_TYPES
    return [bt for bt in balance_transactions if bt.type in tracked]


def compare(expected: list[Expected], balance_transactions: list[BalanceTransaction]) -> list[dict[str, Any]]:
    """The differences between local records and Stripe's balance transactions (pure)."""
    by_key: dict[str, BalanceTransaction] = {}
    for bt in balance_transactions:
        by_key[bt.source] = bt
        if bt.payment_intent:
            by_key.setdefault(bt.payment_intent, bt)
    matched: set[str] = set()
    differences: list[dict[str, Any]] = []
    for record in expected:
        found = next((by_key[key] for key in record.keys if key in by_key), None)
        base = {
            "kind": record.kind,
            "local_id": record.local_id,
            "stripe_id": record.keys[0] if record.keys else "",
        }
        if found is None:
            differences.append({**base, "problem": "missing_at_stripe", "local_amount": record.amount})
            continue
        matched.add(found.id)
        if found.amount != record.amount or found.currency != record.currency:
            differences.append(
                {
                    **base,
                    "problem": "amount_mismatch",
                    "local_amount": record.amount,
                    "stripe_amount": found.amount,
                    "local_currency": record.currency,
                    "stripe_currency": found.currency,
                }
            )
    for bt in balance_transactions:
        if bt.id not in matched:
            differences.append(
                {
                    "kind": bt.type,
                    "local_id": "",
                    "stripe_id": bt.source,
                    "balance_transaction": bt.id,
                    "problem": "missing_locally",
                    "stripe_amount": bt.amount,
                }
            )
    return differences


def reconciliation_run(*, day: date) -> ReconciliationReport:
    """Compare one UTC day and store the report (also when Stripe cannot be reached)."""
    start, end = _day_window(day)
    expected = _expected_records(start, end)
    try:
        stripe_rows = _tracked(
            get_transfer_gateway().balance_transactions(created_from=start, created_to=end)
        )
    except PaymentProviderError as exc:
        logger.error("Reconciliation of %s: Stripe's balance transactions unavailable: %s", day, exc)
        return ReconciliationReport.objects.create(
            date=day,
            status=ReconciliationReport.Status.FAILED,
            checked_local=len(expected),
            error=str(exc)[:500],
        )
    differences = compare(expected, stripe_rows)
    status = ReconciliationReport.Status.MISMATCH if differences else ReconciliationReport.Status.OK
    report = ReconciliationReport.objects.create(
        date=day,
        status=status,
        checked_local=len(expected),
        checked_stripe=len(stripe_rows),
        differences=differences,
    )
    if differences:
        logger.warning("Reconciliation of %s: %s differences: %s", day, len(differences), differences)
    else:
        logger.info("Reconciliation of %s: %s records match Stripe", day, len(expected))
    return report
