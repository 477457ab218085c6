"""Celery tasks of the payment system (queues ``payment_tasks`` and ``marketplace_tasks``).

This package is the documented import path: ``from payment_system.Tasks import ...``.
"""

from payment_system.Tasks.exchange_rate_tasks import update_exchange_rates_task  # noqa: F401
from payment_system.Tasks.payment_tasks import (  # noqa: F401
    check_payment_timeouts_task,
    checkout_session_close_task,
    dummy_checkout_complete_task,
    payment_fee_record_task,
    reconcile_payments_task,
    refund_submit_task,
    release_held_funds_task,
    stock_reservations_sweep_task,
    transfer_reversal_submit_task,
)

__all__ = [
    "update_exchange_rates_task",
    "check_payment_timeouts_task",
    "checkout_session_close_task",
    "dummy_checkout_complete_task",
    "payment_fee_record_task",
    "reconcile_payments_task",
    "refund_submit_task",
    "release_held_funds_task",
    "stock_reservations_sweep_task",
    "transfer_reversal_submit_task",
]
