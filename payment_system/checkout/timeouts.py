"""Unpaid orders whose stock reservation ended (``STOCK_RESERVATION_MINUTES``): expire their
session, release their stock, keep the order payable. Unpaid orders past ``PAYMENT_TIMEOUT_DAYS``:
expire their session, cancel them, release stock.

The session is expired at the provider *before* the order is cancelled: once Stripe confirms it is
expired no payment can arrive any more; if Stripe says it completed, the payment won the race and
its webhook confirms the order instead. Each order is handled under its row lock, so two runs at
once, or a run and a webhook, never both act on it.
"""

import logging
import time
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from designiaBackend.api.after_commit import must_happen
from infrastructure.payments import PaymentProviderError, get_gateway
from marketplace.ordering.selectors import order_pk_batches_unpaid_before
from marketplace.ordering.services.expiry import orders_expire_unpaid_batch, orders_unpayable_among
from marketplace.ordering.services.orders import order_expire_unpaid
from marketplace.ordering.services.reservations import lapsed_reservation_ids, order_release_reservation
from payment_system.payments.models import Payment

logger = logging.getLogger(__name__)


def checkout_session_expire(*, order_id: UUID) -> str | None:
    """Expire the order's open session at the provider; returns the session's status (None: none)."""
    payment = Payment.objects.filter(order_id=order_id).first()
    if payment is None or not payment.checkout_session_id:
        return None
    return checkout_session_close(session_id=payment.checkout_session_id)


def checkout_session_close(*, session_id: str) -> str:
    """Expire the session at the provider if it is still open; returns the status it ends in."""
    return get_gateway().expire_checkout_session(session_id, idempotency_key=f"expire-{session_id}").status


def _session_still_payable(order_id: UUID) -> bool:
    """Expire the order's session at the provider; True when it was paid (or cannot be known)."""
    try:
        status = checkout_session_expire(order_id=order_id)
    except PaymentProviderError as exc:
        logger.warning("Could not expire session of order %s: %s", order_id, exc)
        return True  # try again on the next run rather than cancel an order that may be paid
    return status == "complete"


def payment_timeouts_check(
    *, now: datetime | None = None, batch_size: int = 500, duty_cycle: float | None = None
) -> int:
    """Cancel every unpaid order older than the grace period, in batches. Returns how many.

    Orders whose session is already over (nearly all: the reservation sweep expired it) are
    cancelled set-wise, a batch per transaction, and their sessions are closed at the provider by
    a task of their own (idempotent; after the fact, in case one was still open). The few others
    are decided one by one under their row lock, the provider asked first (``order_expire_unpaid``).

    ``duty_cycle`` (``PAYMENT_TIMEOUT_SWEEP_DUTY_CYCLE``): the share of its time the sweep works;
    after each batch it pauses in proportion to the time the batch took (0.5: as long again), so
    MariaDB and the cores are left to the API meanwhile, whatever the machine's speed.
    """
    now = now or timezone.now()
    duty = settings.PAYMENT_TIMEOUT_SWEEP_DUTY_CYCLE if duty_cycle is None else duty_cycle
    if not 0 < duty <= 1:
        raise ValueError(f"The sweep's duty cycle must be in (0, 1], not {duty}.")
    cutoff = now - timedelta(days=settings.PAYMENT_TIMEOUT_DAYS)
    cancelled, busy, paused = 0, 0.0, 0.0
    for batch in order_pk_batches_unpaid_before(cutoff=cutoff, batch_size=batch_size):
        started = time.monotonic()
        cancelled += _timeouts_of_batch(batch, now=now)
        took = time.monotonic() - started
        busy += took
        if duty < 1:
            pause = took * (1 - duty) / duty
            time.sleep(pause)
            paused += pause
    logger.info(
        "Payment timeouts: %d orders cancelled, %.1f s working, %.1f s paused (duty cycle %.2f)",
        cancelled,
        busy,
        paused,
        duty,
        extra={"cancelled": cancelled, "busy_seconds": busy, "paused_seconds": paused, "duty_cycle": duty},
    )
    return cancelled


def _timeouts_of_batch(batch: list[UUID], *, now: datetime) -> int:
    unpayable = orders_unpayable_among(batch, now=now)
    cancelled = len(_expire_batch(unpayable))
    for order_id in sorted(set(batch) - set(unpayable)):
        if _session_still_payable(order_id):
            continue
        if order_expire_unpaid(order_id=order_id):
            cancelled += 1
    return cancelled


@transaction.atomic
def _expire_batch(order_ids: list[UUID]) -> list[UUID]:
    ids = orders_expire_unpaid_batch(order_ids=order_ids) if order_ids else []
    sessions = sorted(
        session_id
        for session_id in Payment.objects.filter(order_id__in=ids).values_list(
            "checkout_session_id", flat=True
        )
        if session_id
    )
    if sessions:
        from payment_system.Tasks.payment_tasks import checkout_sessions_close_task

        must_happen(
            checkout_sessions_close_task, args=[sessions], key=f"checkout-sessions-close-{sessions[0]}"
        )
    return ids


def stock_reservations_sweep(*, now: datetime | None = None, batch_size: int = 100) -> int:
    """Release the stock of unpaid orders whose reservation ended; returns how many.

    As with timeouts, the session is expired at the provider first: a session Stripe reports
    complete was paid and keeps its stock (its webhook confirms the order).
    """
    now = now or timezone.now()
    released = 0
    for order_id in lapsed_reservation_ids(now=now, limit=batch_size):
        if _session_still_payable(order_id):
            continue
        if order_release_reservation(order_id=order_id, now=now):
            released += 1
    return released
