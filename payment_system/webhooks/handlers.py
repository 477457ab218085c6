"""What each platform webhook event does. Each handler runs inside the event's transaction, locks
the order row first and returns ``(outcome, note)``. Handlers are safe in any arrival order."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, TypeAlias

from django.core.exceptions import ObjectDoesNotExist

from designiaBackend.api.after_commit import must_happen
from infrastructure.payments import WebhookEvent, from_minor
from marketplace.lock_objects import order_for_update
from marketplace.ordering.services.orders import (
    order_flag_for_review,
    order_mark_paid,
    order_mark_paid_after_cancel,
    order_mark_payment_failed,
    order_record_reported_tax,
)
from marketplace.ordering.services.reservations import order_release_reservation, order_reserve_locked
from marketplace.tax.providers import ReportedTaxMismatch
from payment_system.lock_objects import payment_of_order_for_update
from payment_system.payments.models import Payment
from payment_system.payments.refunds import refund_create, refund_duplicate_payment
from payment_system.payments.selectors import payment_find
from payment_system.payments.services import (
    payment_create_for_order,
    payment_record_success,
    seller_transactions_create,
)
from payment_system.webhooks.models import StripeWebhookEvent

if TYPE_CHECKING:
    from decimal import Decimal

    from marketplace.ordering.models import Order


PROCESSED, IGNORED = StripeWebhookEvent.Outcome.PROCESSED, StripeWebhookEvent.Outcome.IGNORED
# What a handler answers: the outcome stored on the event, and a note for the log.
Outcome: TypeAlias = "tuple[str, str]"
PAID_STATUSES = (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED, Payment.Status.REFUNDED)


def _uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def locked_order_and_payment(
    *, order_id: object = None, session_id: str | None = None, payment_intent_id: str | None = None
) -> tuple[Order, Payment | None] | tuple[None, None]:
    """Lock the order an event refers to (by metadata or by a stored reference), then its payment."""
    order_pk = _uuid(order_id) if order_id else None
    if order_pk is None:
        payment = payment_find(session_id=session_id, payment_intent_id=payment_intent_id)
        order_pk = payment.order_id if payment else None
    if order_pk is None:
        return None, None
    try:
        order = order_for_update(order_pk)
    except ObjectDoesNotExist:
        return None, None
    return order, payment_of_order_for_update(order.pk)


def shipping_address_from_session(session: dict[str, Any]) -> dict[str, str]:
    details = (session.get("collected_information") or {}).get("shipping_details") or session.get(
        "shipping_details"
    )
    customer = session.get("customer_details") or {}
    details = details or {"name": customer.get("name"), "address": customer.get("address")}
    address = details.get("address") or {}
    return {
        "name": details.get("name") or customer.get("name") or "",
        "address_line1": address.get("line1") or "",
        "address_line2": address.get("line2") or "",
        "city": address.get("city") or "",
        "state": address.get("state") or "",
        "postal_code": address.get("postal_code") or "",
        "country": address.get("country") or "",
    }


def handle_session_completed(event: WebhookEvent) -> Outcome:
    session = event.data
    order_id = (session.get("metadata") or {}).get("order_id") or session.get("client_reference_id")
    order, payment = locked_order_and_payment(order_id=order_id, session_id=session.get("id"))
    if order is None:
        return IGNORED, "unknown order"
    if session.get("payment_status") != "paid":
        return IGNORED, "session completed without payment yet (asynchronous method)"
    payment = payment or payment_create_for_order(order=order, provider="stripe")
    if payment.status in PAID_STATUSES:
        intent = session.get("payment_intent")
        if intent and payment.payment_intent_id and intent != payment.payment_intent_id:
            # A second checkout session of this order was paid too: give that payment back.
            currency = str(session.get("currency") or payment.currency)
            duplicate = from_minor(session.get("amount_total") or 0, currency)
            refund_duplicate_payment(order=order, payment=payment, payment_intent_id=intent, amount=duplicate)
            return PROCESSED, "second payment of a paid order: refunded"
        return IGNORED, "payment already recorded"
    currency = str(session.get("currency") or "")
    amount = from_minor(session.get("amount_total") or 0, currency) if currency else None
    payment.payment_intent_id = session.get("payment_intent") or payment.payment_intent_id
    tax_error = _record_automatic_tax(session, order, amount, currency)
    if (
        tax_error
        or amount is None
        or currency.upper() != order.currency.upper()
        or amount != order.total_amount
    ):
        payment.last_error = tax_error or (
            f"Paid {amount} {currency.upper()} for an order of {order.total_amount} {order.currency}"
        )
        payment.save(update_fields=["payment_intent_id", "last_error", "updated_at"])
        order_flag_for_review(order=order, reason=payment.last_error)
        return PROCESSED, "amount mismatch: flagged for review"
    payment_record_success(payment=payment, payment_intent_id=payment.payment_intent_id, amount=amount)
    if order.status == order.Status.PENDING_PAYMENT and not order_reserve_locked(order=order):
        # The reservation lapsed and the stock was sold meanwhile: the order is cancelled, the
        # money goes back.
        order_mark_paid_after_cancel(order=order)
        refund_create(order=order, amount=amount, reason="stock_sold_after_reservation")
        return PROCESSED, "paid after the reservation lapsed and the stock was sold: refunded"
    if order.status != order.Status.PENDING_PAYMENT:
        # Cancelled (timeout or buyer) before the money arrived: give it back.
        order_mark_paid_after_cancel(order=order)
        refund_create(order=order, amount=amount, reason="paid_after_cancellation")
        return PROCESSED, "paid after cancellation: refunded"
    order_mark_paid(order=order, shipping_address=shipping_address_from_session(session))
    seller_transactions_create(payment=payment, order=order)
    from payment_system.Tasks.payment_tasks import payment_fee_record_task

    must_happen(payment_fee_record_task, args=[payment.pk], key=f"payment-fee-record-{payment.pk}")
    return PROCESSED, ""


def _record_automatic_tax(
    session: dict[str, Any], order: Order, amount: Decimal | None, currency: str
) -> str:
    """A session with Stripe Tax (``TAX_PROVIDER=stripe``): the order keeps the tax Stripe computed
    (``total_details.amount_tax``), split over its shipments. Answers an error text ("" when fine)."""
    if not (session.get("automatic_tax") or {}).get("enabled") or amount is None:
        return ""
    if currency.upper() != order.currency.upper():
        return ""  # the currency check reports it
    reported = (session.get("total_details") or {}).get("amount_tax") or 0
    try:
        order_record_reported_tax(order=order, amount_tax=from_minor(reported, currency), charged=amount)
    except ReportedTaxMismatch as exc:
        return f"Stripe Tax: {exc}"
    return ""


def handle_session_expired(event: WebhookEvent) -> Outcome:
    session = event.data
    order_id = (session.get("metadata") or {}).get("order_id")
    order, payment = locked_order_and_payment(order_id=order_id, session_id=session.get("id"))
    if order is None or payment is None or payment.checkout_session_id != session.get("id"):
        return IGNORED, "unknown or replaced session"
    if payment.status not in (Payment.Status.PENDING, Payment.Status.FAILED):
        return IGNORED, f"payment already {payment.status}"
    payment.status = Payment.Status.EXPIRED
    payment.save(update_fields=["status", "updated_at"])
    order_release_reservation(order_id=order.pk)  # the reservation ends with the session
    return PROCESSED, "session expired: stock released; the order stays payable until its timeout"


def handle_payment_failed(event: WebhookEvent) -> Outcome:
    """``payment_intent.payment_failed`` (a PaymentIntent) or ``async_payment_failed`` (a session)."""
    obj = event.data
    intent_id = obj.get("payment_intent") if obj.get("object") == "checkout.session" else obj.get("id")
    order_id = (obj.get("metadata") or {}).get("order_id")
    order, payment = locked_order_and_payment(order_id=order_id, payment_intent_id=intent_id)
    if order is None or payment is None:
        return IGNORED, "unknown order"
    if payment.status not in (Payment.Status.PENDING, Payment.Status.FAILED, Payment.Status.EXPIRED):
        return IGNORED, f"payment already {payment.status}"
    error = (obj.get("last_payment_error") or {}).get("message") or "Payment failed."
    payment.status, payment.last_error = Payment.Status.FAILED, str(error)[:500]
    payment.payment_intent_id = payment.payment_intent_id or intent_id
    payment.save(update_fields=["status", "last_error", "payment_intent_id", "updated_at"])
    order_mark_payment_failed(order=order)
    return PROCESSED, ""


def handle_dispute_created(event: WebhookEvent) -> Outcome:
    dispute = event.data
    order, _ = locked_order_and_payment(payment_intent_id=dispute.get("payment_intent"))
    if order is None:
        return IGNORED, "unknown payment"
    order_flag_for_review(order=order, reason=f"Dispute opened: {dispute.get('reason') or 'unknown reason'}")
    return PROCESSED, ""
