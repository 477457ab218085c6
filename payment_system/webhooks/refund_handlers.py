"""Refund events: ``refund.*`` carry one refund, ``charge.refunded`` the charge's refunded total."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from infrastructure.payments import WebhookEvent, from_minor
from payment_system.payments.models import Payment, Refund
from payment_system.payments.refunds import refund_apply_status, refund_record_external
from payment_system.webhooks.handlers import IGNORED, PROCESSED, Outcome, locked_order_and_payment

if TYPE_CHECKING:
    from marketplace.ordering.models import Order


def _apply_refund_object(obj: dict[str, Any], order: Order, payment: Payment) -> Refund | None:
    reference = str((obj.get("metadata") or {}).get("refund_id") or "")
    refund_id = int(reference) if reference.isdigit() else None
    status = str(obj.get("status") or "pending")
    if refund_id is not None and Refund.objects.filter(pk=refund_id).exists():
        return refund_apply_status(refund_id=refund_id, provider_refund_id=obj.get("id"), status=status)
    if Refund.objects.filter(provider_refund_id=obj.get("id")).exists():
        return refund_apply_status(provider_refund_id=obj.get("id"), status=status)
    amount = from_minor(obj.get("amount") or 0, obj.get("currency") or payment.currency)
    intent = obj.get("payment_intent") or payment.payment_intent_id
    return refund_record_external(
        order=order,
        payment=payment,
        provider_refund_id=obj["id"],
        amount=amount,
        status=status,
        payment_intent_id="" if intent == payment.payment_intent_id else str(intent or ""),
    )


def handle_refund_event(event: WebhookEvent) -> Outcome:
    obj = event.data
    order, payment = locked_order_and_payment(payment_intent_id=obj.get("payment_intent"))
    if order is None or payment is None or not obj.get("id"):
        return IGNORED, "unknown payment"
    if event.type == "refund.failed":
        obj = {**obj, "status": "failed"}
    _apply_refund_object(obj, order, payment)
    return PROCESSED, ""


def handle_charge_refunded(event: WebhookEvent) -> Outcome:
    charge = event.data
    order, payment = locked_order_and_payment(payment_intent_id=charge.get("payment_intent"))
    if order is None or payment is None:
        return IGNORED, "unknown payment"
    listed = (charge.get("refunds") or {}).get("data") or []
    for obj in listed:
        if obj.get("id"):
            _apply_refund_object({**obj, "payment_intent": charge.get("payment_intent")}, order, payment)
    if listed:
        return PROCESSED, ""
    # Recent API versions omit the list: settle our open refunds of this charge up to its refunded
    # total (the order's payment, or a duplicate charge given back).
    refunded = from_minor(charge.get("amount_refunded") or 0, charge.get("currency") or payment.currency)
    payment.refresh_from_db()
    duplicate = charge.get("payment_intent") != payment.payment_intent_id
    of_charge = payment.refunds.filter(payment_intent_id=charge.get("payment_intent") if duplicate else "")
    if duplicate:
        confirmed = sum(of_charge.filter(status=Refund.Status.SUCCEEDED).values_list("amount", flat=True), 0)
    else:
        confirmed = payment.amount_refunded
    unconfirmed = refunded - confirmed
    open_refunds = of_charge.filter(status__in=(Refund.Status.PENDING, Refund.Status.REQUESTED))
    for refund in open_refunds.order_by("pk"):
        if refund.amount > unconfirmed:
            break
        refund_apply_status(refund_id=refund.pk, status="succeeded")
        unconfirmed -= refund.amount
    return PROCESSED, ""
