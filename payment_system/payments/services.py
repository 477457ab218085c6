"""Writes of payments and seller transactions. Callers hold the order's row lock."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from infrastructure.payments import CheckoutSession
from marketplace.ordering.pricing import ZERO, allocate, money, unit_of
from payment_system.lock_objects import payment_for_update, seller_transactions_for_update
from payment_system.payments.models import Payment, SellerTransaction

if TYPE_CHECKING:
    from marketplace.ordering.models import Order, ReturnRequest, Shipment


ONE = Decimal(1)


def payment_create_for_order(*, order: Order, provider: str) -> Payment:
    payment, _ = Payment.objects.get_or_create(
        order=order,
        defaults={"provider": provider, "amount": order.total_amount, "currency": order.currency},
    )
    return payment


def payment_create_for_new_order(*, order: Order, provider: str) -> Payment:
    """The payment of an order this request just placed (none can exist yet): one INSERT, with the
    first session attempt number already taken (``payment_next_session_attempt`` is for retries)."""
    return Payment.objects.create(
        order=order, provider=provider, amount=order.total_amount, currency=order.currency, session_attempt=1
    )


def payment_attach_first_session(*, payment_id: int, session: CheckoutSession) -> bool:
    """Make ``session`` the payment's session in one UPDATE if it has none yet; False when another
    request attached one meanwhile (``payment_attach_session`` then settles which one stays)."""
    return bool(
        Payment.objects.filter(
            pk=payment_id, checkout_session_id__isnull=True, status=Payment.Status.PENDING
        ).update(checkout_session_id=session.id, updated_at=timezone.now())
    )


@transaction.atomic
def payment_next_session_attempt(*, payment_id: int) -> Payment:
    """Reserve the next session attempt number (it is part of the session's idempotency key)."""
    payment = payment_for_update(payment_id)
    payment.session_attempt += 1
    payment.save(update_fields=["session_attempt", "updated_at"])
    return payment


@transaction.atomic
def payment_attach_session(*, payment_id: int, session: CheckoutSession) -> str | None:
    """Make ``session`` the payment's session; returns the id of the session it replaced (None)."""
    payment = payment_for_update(payment_id)
    replaced = payment.checkout_session_id if payment.checkout_session_id != session.id else None
    payment.checkout_session_id = session.id
    if payment.status == Payment.Status.EXPIRED:
        payment.status = Payment.Status.PENDING
    payment.save(update_fields=["checkout_session_id", "status", "updated_at"])
    return replaced


def payment_record_success(*, payment: Payment, payment_intent_id: str | None, amount: Decimal) -> Payment:
    payment.status = Payment.Status.SUCCEEDED
    payment.amount = amount
    payment.payment_intent_id = payment_intent_id or payment.payment_intent_id
    payment.paid_at = timezone.now()
    payment.last_error = ""
    payment.save()
    return payment


def seller_share(shipment: Shipment, *, currency: str) -> tuple[Decimal, Decimal]:
    """A shipment's ``(gross, platform fee)``: its total, and ``STRIPE_APPLICATION_FEE_PERCENT`` of
    it in the currency's minor unit. A platform code's discount comes out of the platform's fee
    (which may go below zero: the platform then pays the seller more than the buyer paid for their
    part); a seller's code is already out of their total."""
    gross = shipment.total_amount
    funded = shipment.platform_discount_amount
    percent = settings.STRIPE_APPLICATION_FEE_PERCENT
    return gross, money((gross + funded) * percent / Decimal(100), unit_of(currency)) - funded


def seller_transactions_create(*, payment: Payment, order: Order) -> list[SellerTransaction]:
    """One transaction per shipment (seller) of the order: its total, less the platform fee. Two
    queries whatever the number of sellers (the shares already there, one INSERT of the others);
    the caller holds the order's lock, so no other request writes this payment's shares meanwhile.
    ``order.shipments`` may be loaded already (``order_mark_paid`` keeps the ones it locked)."""
    existing = {row.seller_id: row for row in SellerTransaction.objects.filter(payment=payment)}
    new = []
    for shipment in order.shipments.all():
        if shipment.seller_id in existing:
            continue
        gross, fee = seller_share(shipment, currency=order.currency)
        new.append(
            SellerTransaction(
                payment=payment,
                seller_id=shipment.seller_id,
                order=order,
                shipment=shipment,
                currency=order.currency,
                gross_amount=gross,
                platform_fee=fee,
                net_amount=gross - fee,
            )
        )
    created = SellerTransaction.objects.bulk_create(new) if new else []
    return sorted([*existing.values(), *created], key=lambda row: row.pk)


def stripe_fee_shares(fee: Decimal, grosses: dict[int, Decimal], *, currency: str) -> dict[int, Decimal]:
    """Stripe's fee split over the sellers' rows by gross (the remainder to the last row)."""
    return allocate(fee, grosses, unit_of(currency))


@transaction.atomic
def payment_record_stripe_fee(*, payment_id: int, fee: Decimal) -> Payment:
    """Store Stripe's fee and split it over the sellers by gross amount (their nets shrink)."""
    payment = payment_for_update(payment_id)
    rows = seller_transactions_for_update(payment.pk)
    shares = stripe_fee_shares(fee, {row.pk: row.gross_amount for row in rows}, currency=payment.currency)
    for row in rows:
        row.stripe_fee = shares[row.pk]
        row.net_amount = row.gross_amount - row.platform_fee - row.stripe_fee
        row.save(update_fields=["stripe_fee", "net_amount", "updated_at"])
    payment.stripe_fee = fee
    payment.save(update_fields=["stripe_fee", "updated_at"])
    return payment


def seller_transactions_hold(*, shipment: Shipment) -> int:
    """A shipment's delivery starts its seller's hold: their money becomes releasable
    ``PAYMENT_HOLD_DAYS`` later (other sellers' parts wait for their own delivery)."""
    held_until = (shipment.delivered_at or timezone.now()) + timedelta(days=settings.PAYMENT_HOLD_DAYS)
    return SellerTransaction.objects.filter(
        order_id=shipment.order_id, seller_id=shipment.seller_id, status=SellerTransaction.Status.PENDING
    ).update(status=SellerTransaction.Status.HELD, held_until=held_until, updated_at=timezone.now())


def seller_transactions_apply_refund(
    *,
    payment: Payment,
    amount: Decimal,
    return_request: ReturnRequest | None = None,
    shipment: Shipment | None = None,
) -> None:
    """Charge a refund to the sellers: to the shipment's seller, to the sellers of the returned
    items, else by gross share."""
    rows = seller_transactions_for_update(payment.pk)
    if shipment is not None:
        weights = {row.pk: (ONE if row.seller_id == shipment.seller_id else ZERO) for row in rows}
    elif return_request is not None:
        weights = {row.pk: ZERO for row in rows}
        by_seller = {row.seller_id: row.pk for row in rows}
        for line in return_request.items.select_related("order_item"):
            key = by_seller.get(line.order_item.seller_id)
            if key is not None:
                weights[key] += line.order_item.unit_price * line.quantity
    else:
        weights = {row.pk: row.gross_amount for row in rows}
    shares = allocate(amount, weights, unit_of(payment.currency))
    for row in rows:
        row.refunded_amount += shares.get(row.pk, ZERO)
        if row.refunded_amount >= row.gross_amount:
            row.status = SellerTransaction.Status.REFUNDED
        row.save(update_fields=["refunded_amount", "status", "updated_at"])
