"""Refunds: recorded in the order's transaction, sent to the provider after commit (idempotently),
confirmed by the provider's answer or its webhooks. A refund counts exactly once."""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from designiaBackend.api.after_commit import must_happen
from designiaBackend.api.notifications import notify
from designiaBackend.observability import metrics
from infrastructure.payments import (
    PaymentProviderError,
    PaymentProviderUnavailable,
    RefundRequest,
    get_gateway,
)
from marketplace.lock_objects import order_for_update
from marketplace.ordering.pricing import ZERO
from marketplace.ordering.services.orders import order_flag_for_review, order_mark_refunded
from payment_system.lock_objects import payment_for_update, payment_of_order_for_update, refund_for_update
from payment_system.payments.models import Payment, Refund
from payment_system.payments.services import seller_transactions_apply_refund
from payment_system.payouts.reversals import transfer_reversals_for_refund

if TYPE_CHECKING:
    from marketplace.ordering.models import Order, ReturnRequest, Shipment


logger = logging.getLogger(__name__)

PROVIDER_STATUSES = {
    "succeeded": Refund.Status.SUCCEEDED,
    "failed": Refund.Status.FAILED,
    "canceled": Refund.Status.CANCELED,
    "pending": Refund.Status.REQUESTED,
    "requires_action": Refund.Status.REQUESTED,
}
FINAL = (Refund.Status.SUCCEEDED, Refund.Status.FAILED, Refund.Status.CANCELED)


def refund_create(
    *,
    order: Order,
    amount: Decimal,
    reason: str,
    return_request: ReturnRequest | None = None,
    shipment: Shipment | None = None,
) -> Refund | None:
    """Record a refund of a locked, paid order (capped to what is left) and submit it after commit."""
    payment = payment_of_order_for_update(order.pk)
    if payment is None or payment.status not in (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED):
        order_flag_for_review(order=order, reason=f"Refund of {amount} asked for an order without a payment.")
        return None
    open_amount = sum(
        (
            r.amount
            for r in payment.refunds.filter(payment_intent_id="").exclude(
                status__in=(Refund.Status.FAILED, Refund.Status.CANCELED)
            )
        ),
        ZERO,
    )
    amount = min(amount, payment.amount - open_amount)
    if amount <= ZERO:
        return None
    refund = Refund.objects.create(
        payment=payment,
        order=order,
        return_request=return_request,
        shipment=shipment or (return_request.shipment if return_request is not None else None),
        amount=amount,
        currency=payment.currency,
        reason=reason,
        idempotency_key=f"refund-{uuid.uuid4().hex}",
    )
    metrics.REFUNDS.labels(outcome="requested").inc()
    from payment_system.Tasks.payment_tasks import refund_submit_task

    must_happen(refund_submit_task, args=[refund.pk], key=f"refund-submit-{refund.pk}")
    return refund


def _refund_fields(
    *, order: Order, payment: Payment, payment_intent_id: str, amount: Decimal, reason: str
) -> dict[str, Any]:
    """A refund of ``amount`` of ``payment`` (in its currency) for the order, for ``reason``."""
    return {
        "payment": payment,
        "order": order,
        "payment_intent_id": payment_intent_id,
        "amount": amount,
        "currency": payment.currency,
        "reason": reason,
    }


def refund_duplicate_payment(
    *, order: Order, payment: Payment, payment_intent_id: str, amount: Decimal
) -> Refund:
    """Give back a second payment of an already paid order (the locked ``order``), once per charge."""
    refund, created = Refund.objects.get_or_create(
        idempotency_key=f"duplicate-{payment_intent_id}",
        defaults=_refund_fields(
            order=order,
            payment=payment,
            payment_intent_id=payment_intent_id,
            amount=amount,
            reason="duplicate_payment",
        ),
    )
    if created:
        metrics.REFUNDS.labels(outcome="requested").inc()
        from payment_system.Tasks.payment_tasks import refund_submit_task

        must_happen(refund_submit_task, args=[refund.pk], key=f"refund-submit-{refund.pk}")
    return refund


def refund_submit(*, refund_id: int) -> Refund:
    """Send a pending refund to the provider. Retries reuse the refund's idempotency key."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status != Refund.Status.PENDING:
        return refund
    request = RefundRequest(
        payment_intent_id=refund.payment_intent_id or refund.payment.payment_intent_id or "",
        amount=refund.amount,
        currency=refund.currency,
        idempotency_key=refund.idempotency_key,
        metadata={"refund_id": str(refund.pk), "order_id": str(refund.order_id)},
    )
    try:
        result = get_gateway().create_refund(request)
    except PaymentProviderUnavailable:
        raise
    except PaymentProviderError as exc:
        failed = refund_apply_status(refund_id=refund.pk, status="failed", failure_reason=str(exc))
        return failed or refund
    applied = refund_apply_status(refund_id=refund.pk, provider_refund_id=result.id, status=result.status)
    return applied or refund  # None only if the row was deleted meanwhile


@transaction.atomic
def refund_apply_status(
    *,
    status: str,
    refund_id: int | None = None,
    provider_refund_id: str | None = None,
    failure_reason: str = "",
) -> Refund | None:
    """Apply the provider's state of a refund (API answer or webhook), whatever the arrival order."""
    if not refund_id and not provider_refund_id:
        return None  # no reference: a NULL provider id would match every unsubmitted refund
    lookup: dict[str, object] = {"pk": refund_id} if refund_id else {"provider_refund_id": provider_refund_id}
    order_id = Refund.objects.filter(**lookup).values_list("order_id", flat=True).first()
    if order_id is None:
        return None
    order = order_for_update(order_id)  # the order first, as everywhere
    refund = refund_for_update(lookup)
    if provider_refund_id and not refund.provider_refund_id:
        refund.provider_refund_id = provider_refund_id
    new_status = PROVIDER_STATUSES.get(status, Refund.Status.REQUESTED)
    if refund.status in FINAL or (
        refund.status == Refund.Status.REQUESTED and new_status == Refund.Status.REQUESTED
    ):
        refund.save(update_fields=["provider_refund_id", "updated_at"])
        return refund
    refund.status = new_status
    refund.failure_reason = failure_reason[:500]
    refund.save()
    if new_status == Refund.Status.SUCCEEDED:
        _refund_succeeded(order, refund)
    elif new_status in (Refund.Status.FAILED, Refund.Status.CANCELED):
        metrics.REFUNDS.labels(outcome="failed").inc()
        order_flag_for_review(order=order, reason=f"Refund {refund.pk} {new_status}: {failure_reason}"[:200])
    return refund


def _refund_notify(order: Order, refund: Refund, *, fully: bool) -> None:
    """The buyer hears of every refund; a full refund's e-mail is the order's "refunded" e-mail."""
    currency = refund.currency.upper()
    notify(
        recipient=order.buyer_id,
        kind="refund_sent",
        event_key=f"refund_sent:{refund.pk}",
        title=format_lazy(_("Refund of {amount} {currency} sent"), amount=refund.amount, currency=currency),
        body=format_lazy(
            _(
                "We refunded {amount} {currency} for order {short_id}. It reaches your card within 5-10 business days."
            ),
            amount=refund.amount,
            currency=currency,
            short_id=str(order.pk)[:8].upper(),
        ),
        link_type="order",
        link_id=str(order.pk),
        url=f"{settings.FRONTEND_URL}/orders/{order.pk}",
        email=not fully,
    )


def _refund_succeeded(order: Order, refund: Refund) -> None:
    metrics.REFUNDS.labels(outcome="succeeded").inc()
    if refund.payment_intent_id:  # a duplicate charge given back: the order's payment is untouched
        return
    payment = payment_for_update(refund.payment_id)
    payment.amount_refunded += refund.amount
    fully = payment.amount_refunded >= payment.amount
    payment.status = Payment.Status.REFUNDED if fully else Payment.Status.PARTIALLY_REFUNDED
    payment.save(update_fields=["amount_refunded", "status", "updated_at"])
    seller_transactions_apply_refund(
        payment=payment,
        amount=refund.amount,
        return_request=refund.return_request,
        shipment=refund.shipment if refund.return_request_id is None else None,
    )
    transfer_reversals_for_refund(refund=refund)  # funds already transferred to sellers come back
    _refund_notify(order, refund, fully=fully)
    if fully:
        order_mark_refunded(order=order)


@transaction.atomic
def refund_record_external(
    *,
    order: Order,
    payment: Payment,
    provider_refund_id: str,
    amount: Decimal,
    status: str,
    payment_intent_id: str = "",
) -> Refund:
    """A refund made outside the application (Stripe dashboard): record it, then apply it.

    ``payment_intent_id`` names the charge when it is not the order's payment (a duplicate one).
    """
    refund, _ = Refund.objects.get_or_create(
        provider_refund_id=provider_refund_id,
        defaults={
            **_refund_fields(
                order=order,
                payment=payment,
                payment_intent_id=payment_intent_id,
                amount=amount,
                reason="external",
            ),
            "status": Refund.Status.REQUESTED,
            "idempotency_key": f"external-{provider_refund_id}",
        },
    )
    return refund_apply_status(refund_id=refund.pk, status=status) or refund
