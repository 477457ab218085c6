"""Celery tasks of payments (queue ``payment_tasks``)."""

import logging
from typing import Any

from celery import shared_task

from infrastructure.payments import PaymentProviderError, PaymentProviderUnavailable, get_gateway
from payment_system.checkout.services import dummy_checkout_complete
from payment_system.checkout.timeouts import (
    checkout_session_close,
    payment_timeouts_check,
    stock_reservations_sweep,
)
from payment_system.payments.models import Payment
from payment_system.payments.refunds import refund_submit
from payment_system.payments.services import payment_record_stripe_fee

logger = logging.getLogger(__name__)


@shared_task(name="payment_system.Tasks.payment_tasks.check_payment_timeouts_task")
def check_payment_timeouts_task(batch_size: int = 500) -> int:
    """Hourly: cancel orders unpaid after ``PAYMENT_TIMEOUT_DAYS`` and release their stock, 500 a
    transaction, pausing between batches (``PAYMENT_TIMEOUT_SWEEP_DUTY_CYCLE``); bench/sweep.py
    measures it (100,000 orders, bench/RESULTS.md)."""
    return payment_timeouts_check(batch_size=batch_size)


@shared_task(name="payment_system.Tasks.payment_tasks.stock_reservations_sweep_task")
def stock_reservations_sweep_task(batch_size: int = 100) -> int:
    """Every 5 minutes: give back the stock of unpaid orders whose reservation ended."""
    return stock_reservations_sweep(batch_size=batch_size)


@shared_task(
    name="payment_system.Tasks.payment_tasks.refund_submit_task",
    autoretry_for=(PaymentProviderUnavailable,),
    retry_backoff=True,
    max_retries=8,
)
def refund_submit_task(refund_id: int) -> str:
    """Send a recorded refund to the provider (the same idempotency key on every retry)."""
    return refund_submit(refund_id=refund_id).status


@shared_task(
    name="payment_system.Tasks.payment_tasks.payment_fee_record_task",
    autoretry_for=(PaymentProviderUnavailable,),
    retry_backoff=True,
    max_retries=5,
)
def payment_fee_record_task(payment_id: int) -> str | None:
    """Fetch Stripe's fee of a payment and charge it to the sellers' transactions."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None or not payment.payment_intent_id:
        return None
    try:
        fee = get_gateway().payment_fee(payment.payment_intent_id, payment.currency)
    except PaymentProviderUnavailable:
        raise
    except PaymentProviderError as exc:
        logger.warning("No Stripe fee for payment %s: %s", payment_id, exc)
        return None
    if fee is None:
        return None
    return str(payment_record_stripe_fee(payment_id=payment_id, fee=fee).stripe_fee)


@shared_task(name="payment_system.Tasks.payment_tasks.dummy_checkout_complete_task")
def dummy_checkout_complete_task(order_id: str) -> str:
    """The dummy gateway's payment completes through the webhook-processing code."""
    return dummy_checkout_complete(order_id=order_id)


@shared_task(
    name="payment_system.Tasks.payment_tasks.checkout_session_close_task",
    autoretry_for=(PaymentProviderUnavailable,),
    retry_backoff=True,
    max_retries=5,
)
def checkout_session_close_task(session_id: str) -> str | None:
    """Close a checkout session no longer wanted: its order was cancelled unpaid (a late payment
    would be refunded), or another session replaced it (an order has one payable session)."""
    try:
        return checkout_session_close(session_id=session_id)
    except PaymentProviderUnavailable:
        raise
    except PaymentProviderError as exc:
        logger.warning("Could not close checkout session %s: %s", session_id, exc)
        return None


# --- payouts: release of held funds, transfer reversals, reconciliation ----------------------------


@shared_task(
    name="payment_system.Tasks.payment_tasks.checkout_sessions_close_task",
    autoretry_for=(PaymentProviderUnavailable,),
    retry_backoff=True,
    max_retries=8,
)
def checkout_sessions_close_task(session_ids: list[str]) -> int:
    """Expire a batch of sessions of cancelled orders at the provider (idempotent per session)."""
    closed = 0
    for session_id in session_ids:
        try:
            checkout_session_close(session_id=session_id)
            closed += 1
        except PaymentProviderUnavailable:
            raise
        except PaymentProviderError as exc:
            logger.warning("Session %s not closed: %s", session_id, exc)
    return closed


@shared_task(name="payment_system.Tasks.payment_tasks.release_held_funds_task")
def release_held_funds_task(batch_size: int = 200) -> dict[str, int]:
    """Hourly: transfer the funds whose hold has ended to the sellers' connected accounts."""
    from payment_system.payouts.release import seller_transactions_release_due

    return seller_transactions_release_due(batch_size=batch_size)


@shared_task(
    name="payment_system.Tasks.payment_tasks.transfer_reversal_submit_task",
    autoretry_for=(PaymentProviderUnavailable,),
    retry_backoff=True,
    max_retries=8,
)
def transfer_reversal_submit_task(reversal_id: int) -> str:
    """Send a recorded transfer reversal to Stripe (the same idempotency key on every retry)."""
    from payment_system.payouts.reversals import transfer_reversal_submit

    return transfer_reversal_submit(reversal_id=reversal_id).status


@shared_task(name="payment_system.Tasks.payment_tasks.reconcile_payments_task")
def reconcile_payments_task(day: str | None = None) -> dict[str, Any]:
    """Daily: compare yesterday's (or ``day``'s, ISO date) records with Stripe's balance transactions."""
    from datetime import date, timedelta

    from django.utils import timezone

    from payment_system.payouts.reconciliation import reconciliation_run

    target = date.fromisoformat(day) if day else timezone.now().date() - timedelta(days=1)
    report = reconciliation_run(day=target)
    return {"report_id": report.pk, "status": report.status, "differences": len(report.differences)}
