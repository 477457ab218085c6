"""An order's life after checkout: payment, review flags, cancel, timeout, refund (shipping and
delivery are per shipment: ``marketplace.ordering.services.shipments``).

Every function locks the order row first (``order_for_update``) and moves it only through the
state machine (``marketplace.ordering.state``). E-mails and payment-side effects are explicit calls.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import prefetch_related_objects

from designiaBackend.api.after_commit import must_happen
from designiaBackend.db import keep_loaded
from marketplace.coupons.services import coupon_release_for_order
from marketplace.lock_objects import order_for_update, shipments_for_update
from marketplace.ordering import events, notices
from marketplace.ordering.exceptions import OrderNotCancellable, OrderNotFound
from marketplace.ordering.models import Order, OrderItem, Shipment
from marketplace.ordering.ports import payment_handler
from marketplace.ordering.pricing import ZERO, allocate, money, unit_of
from marketplace.ordering.services.stock import order_release_stock
from marketplace.ordering.state import CANCELLABLE, order_transition, shipment_transition
from marketplace.tax.providers import reported_tax_split

S, SS = Order.Status, Shipment.Status
RATE = Decimal("0.0001")
ADDRESS_KEYS = ("name", "address_line1", "address_line2", "city", "state", "postal_code", "country")


def send_order_email_on_commit(order, kind, *, key=None):
    """Must happen: recorded in the outbox, sent once per ``key`` (default: once per order and kind)."""
    from marketplace.ordering.tasks import order_email_send_task

    order_id = str(order.pk)
    must_happen(order_email_send_task, args=[order_id, kind], key=key or f"order-email-{order_id}-{kind}")


def _locked(order_id) -> Order:
    try:
        return order_for_update(order_id)
    except Order.DoesNotExist:
        raise OrderNotFound() from None


def _save(order, fields):
    order.save(update_fields=sorted(set(fields) | {"updated_at"}))


def shipments_cancel_pending(shipments: list[Shipment], reason: str) -> list[Shipment]:
    """Cancel the (locked) pending shipments of an order being cancelled; returns them."""
    cancelled = []
    for shipment in shipments:
        if shipment.status == SS.PENDING:
            fields = shipment_transition(shipment, SS.CANCELLED)
            shipment.cancellation_reason = reason[:40]
            _save(shipment, [*fields, "cancellation_reason"])
            cancelled.append(shipment)
    return cancelled


def order_mark_paid(*, order: Order, shipping_address: dict) -> Order:
    """A locked ``pending_payment`` order was paid: ``payment_confirmed``, then ``awaiting_shipment``;
    each seller is told about their new shipment."""
    fields = order_transition(order, S.PAYMENT_CONFIRMED)
    order.payment_status = Order.PaymentStatus.PAID
    order.shipping_address = {key: str(shipping_address.get(key) or "") for key in ADDRESS_KEYS}
    fields += order_transition(order, S.AWAITING_SHIPMENT)
    _save(order, [*fields, "payment_status", "shipping_address"])
    send_order_email_on_commit(order, "receipt")
    notices.payment_confirmed(order)
    shipments = shipments_for_update(order.pk)
    # Every seller and item read in two queries, whatever the number of shipments; the order keeps
    # the locked shipments for the seller shares written next.
    prefetch_related_objects(shipments, "seller", "items")
    keep_loaded(order, shipments=shipments)
    for shipment in shipments:
        shipment.order = order
        events.shipment_paid(shipment)
    return order


def order_record_reported_tax(*, order: Order, amount_tax, charged) -> Order:
    """Keep the tax the payment provider computed (``TAX_PROVIDER=stripe``) on a locked order, its
    shipments and items: ``amount_tax`` of a charge of ``charged``. Split per shipment by
    ``marketplace.tax.providers.reported_tax_split`` (remainders to the last shipment by pk), then
    within a shipment over its items and shipping (remainder to the shipping). Repeatable: it
    starts from the prices before tax. Raises ``ReportedTaxMismatch`` when the tax cannot fit."""
    shipments = shipments_for_update(order.pk)
    parts = {
        shipment.pk: (
            shipment.subtotal + shipment.shipping_cost - shipment.discount_amount,
            shipment.prices_include_tax,
        )
        for shipment in shipments
    }
    unit = unit_of(order.currency)
    split = reported_tax_split(parts, amount_tax=amount_tax, charged=charged, unit=unit)
    items = list(OrderItem.objects.filter(order=order).order_by("pk"))
    for shipment in shipments:
        before_tax, _ = parts[shipment.pk]
        shipment.tax_amount, shipment.tax_included_amount = split[shipment.pk]
        shipment.total_amount = money(before_tax + shipment.tax_amount - shipment.tax_included_amount)
        net = before_tax - shipment.tax_included_amount
        shipment.tax_rate = (shipment.tax_amount / net).quantize(RATE) if net > ZERO else ZERO
        _save(shipment, ["tax_amount", "tax_included_amount", "total_amount", "tax_rate"])
        own = [item for item in items if item.shipment_id == shipment.pk]
        weights: dict[int | str, Decimal] = {item.pk: item.total_price - item.discount_amount for item in own}
        if shipment.shipping_cost:
            weights["shipping"] = shipment.shipping_cost
        shares = allocate(shipment.tax_amount, weights, unit)
        for item in own:
            item.tax_amount = shares[item.pk]
        OrderItem.objects.bulk_update(own, ["tax_amount"])
    order.tax_amount = money(sum((s.tax_amount for s in shipments), ZERO))
    order.tax_included_amount = money(sum((s.tax_included_amount for s in shipments), ZERO))
    order.total_amount = money(sum((s.total_amount for s in shipments), ZERO))
    _save(order, ["tax_amount", "tax_included_amount", "total_amount"])
    return order


def order_mark_paid_after_cancel(*, order: Order) -> Order:
    """Money arrived for an order cancelled before it was paid: it is now owed back (a refund follows)."""
    order.payment_status = Order.PaymentStatus.PAID
    _save(order, ["payment_status"])
    return order


def order_mark_payment_failed(*, order: Order) -> Order:
    """A payment attempt failed; the order stays payable while its checkout session is open."""
    if order.status == S.PENDING_PAYMENT and order.payment_status == Order.PaymentStatus.PENDING:
        order.payment_status = Order.PaymentStatus.FAILED
        _save(order, ["payment_status"])
    return order


def order_flag_for_review(*, order: Order, reason: str) -> Order:
    order.needs_review = True
    order.review_reason = reason[:200]
    _save(order, ["needs_review", "review_reason"])
    return order


def order_mark_refunded(*, order: Order) -> Order:
    """The whole payment of a locked order was refunded."""
    order.payment_status = Order.PaymentStatus.REFUNDED
    fields = ["payment_status"]
    if order.status in (S.CANCELLED, S.DELIVERED):
        fields += order_transition(order, S.REFUNDED)
    _save(order, fields)
    send_order_email_on_commit(order, "refunded")
    return order


@transaction.atomic
def order_cancel(*, order_id, buyer, reason: str, comment: str = "") -> Order:
    """The buyer cancels before shipping (E42): stock comes back; a paid order is refunded."""
    order = _locked(order_id)
    if order.buyer_id != buyer.pk:
        raise OrderNotFound()
    return _cancel(order, reason, comment)


def _cancel(order: Order, reason: str, comment: str) -> Order:
    if order.status not in CANCELLABLE:
        raise OrderNotCancellable(f"An order that is {order.status} can no longer be cancelled.")
    shipments = shipments_for_update(order.pk)
    if any(shipment.status not in (SS.PENDING, SS.CANCELLED) for shipment in shipments):
        raise OrderNotCancellable("Part of this order has already shipped; it can no longer be cancelled.")
    was_paid = order.payment_status == Order.PaymentStatus.PAID
    open_shipments = shipments_cancel_pending(shipments, reason)
    fields = order_transition(order, S.CANCELLED)
    order.cancellation_reason, order.cancellation_comment = reason, comment
    _save(order, [*fields, "cancellation_reason", "cancellation_comment"])
    order_release_stock(order)
    if was_paid:
        for shipment in open_shipments:  # a part a seller cancelled before was refunded then
            payment_handler().refund_order(
                order=order, amount=shipment.total_amount, reason="order_cancelled", shipment=shipment
            )
        notices.order_cancelled(order, open_shipments)
    else:
        payment_handler().order_cancelled_unpaid(order=order)
        coupon_release_for_order(order=order)
    send_order_email_on_commit(order, "cancelled")
    return order


@transaction.atomic
def order_expire_unpaid(*, order_id, reason: str = "payment_timeout") -> bool:
    """Cancel an order that is still unpaid and release its stock. False when it moved on meanwhile."""
    order = _locked(order_id)
    if order.status != S.PENDING_PAYMENT or order.payment_status == Order.PaymentStatus.PAID:
        return False
    shipments_cancel_pending(shipments_for_update(order.pk), reason)
    fields = order_transition(order, S.CANCELLED)
    order.cancellation_reason = reason
    _save(order, [*fields, "cancellation_reason"])
    order_release_stock(order)
    coupon_release_for_order(order=order)
    send_order_email_on_commit(order, "cancelled")
    return True


@transaction.atomic
def order_staff_refund(*, order_id, note: str = "") -> Order:
    """Staff refunds an order in full: cancelled (and restocked) before shipping, refunded after."""
    order = _locked(order_id)
    if order.status in CANCELLABLE and order.fulfillment_status == Order.Fulfillment.UNFULFILLED:
        return _cancel(order, "staff_refund", note)
    if order.payment_status != Order.PaymentStatus.PAID:
        raise OrderNotCancellable("Only paid orders can be refunded.")
    payment_handler().refund_order(order=order, amount=order.total_amount, reason="staff_refund")
    return order
