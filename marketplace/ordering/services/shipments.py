"""Shipments: each seller ships, tracks and cancels their own part of an order; the buyer confirms
each delivery. Every write locks the order, then its shipments (pk order), then products, and moves
statuses only through ``marketplace.ordering.state``; the order's status follows its shipments.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from designiaBackend.errors import PermissionDeniedError
from marketplace.lock_objects import order_for_update, shipment_order_id, shipments_for_update
from marketplace.ordering import events
from marketplace.ordering.exceptions import (
    IllegalOrderTransition,
    IllegalShipmentTransition,
    OrderNotCancellable,
    OrderNotFound,
    OrderNotShippable,
    ShipmentNotFound,
)
from marketplace.ordering.models import Order, Shipment
from marketplace.ordering.ports import payment_handler
from marketplace.ordering.services.stock import shipment_release_stock
from marketplace.ordering.state import PAID_OPEN, order_sync_with_shipments, shipment_transition

S, SS = Order.Status, Shipment.Status
TRACKING_FIELDS = ("shipping_carrier", "tracking_number", "carrier_code", "tracking_url")


def _save(instance, fields) -> None:
    instance.save(update_fields=sorted(set(fields) | {"updated_at"}))


def order_sync(order: Order, shipments: list[Shipment]) -> Order:
    """Save what a locked order derives from its (locked) shipments."""
    fields = order_sync_with_shipments(order, shipments)
    if fields:
        _save(order, fields)
    return order


def _locked_order(order_id) -> Order:
    try:
        return order_for_update(order_id)
    except Order.DoesNotExist:
        raise OrderNotFound() from None


def _locked_shipment(shipment_id) -> tuple[Order, list[Shipment], Shipment]:
    """Lock the shipment's order, then the order's shipments; 404 when there is no such shipment."""
    order_id = shipment_order_id(shipment_id)
    if order_id is None:
        raise ShipmentNotFound()
    order = order_for_update(order_id)
    shipments = _with_order(order, shipments_for_update(order_id))
    shipment = next(s for s in shipments if s.pk == int(shipment_id))
    return order, shipments, shipment


def _with_order(order: Order, shipments: list[Shipment]) -> list[Shipment]:
    for shipment in shipments:
        shipment.order = order
    return shipments


def _ship(order: Order, shipments: list[Shipment], shipment: Shipment, tracking: dict) -> Shipment:
    """Ship a pending shipment, or change the tracking of a shipped one (409 after delivery)."""
    if order.status not in PAID_OPEN or order.payment_status != Order.PaymentStatus.PAID:
        raise OrderNotShippable(f"An order that is {order.status} cannot be shipped.")
    first_time = shipment.status == SS.PENDING
    if first_time:
        fields = shipment_transition(shipment, SS.SHIPPED)
    elif shipment.status == SS.SHIPPED:
        fields = []
    else:
        raise IllegalShipmentTransition(f"A shipment that is {shipment.status} cannot change its tracking.")
    for name in TRACKING_FIELDS:
        setattr(shipment, name, tracking.get(name, ""))
    _save(shipment, [*fields, *TRACKING_FIELDS])
    order_sync(order, shipments)
    events.shipment_shipped(shipment, first_time=first_time)
    return shipment


@transaction.atomic
def shipment_ship(*, shipment_id, seller, **tracking) -> Shipment:
    """The seller ships their shipment (or updates its tracking)."""
    order, shipments, shipment = _locked_shipment(shipment_id)
    if shipment.seller_id != seller.pk:
        raise ShipmentNotFound()
    return _ship(order, shipments, shipment, tracking)


@transaction.atomic
def order_ship(*, order_id, seller, **tracking) -> Order:
    """E46: a seller ships their own shipment of the order (other sellers' parts are untouched)."""
    order = _locked_order(order_id)
    shipments = _with_order(order, shipments_for_update(order.pk))
    own = next((s for s in shipments if s.seller_id == seller.pk), None)
    if own is None:
        raise PermissionDeniedError("You have no items in this order.")
    _ship(order, shipments, own, tracking)
    return order


@transaction.atomic
def shipment_cancel(*, shipment_id, seller, reason: str = "seller_cancelled") -> Shipment:
    """The seller cancels their unshipped part of a paid order: its stock comes back and its part
    (items, shipping, tax) is refunded, exactly once."""
    order, shipments, shipment = _locked_shipment(shipment_id)
    if shipment.seller_id != seller.pk:
        raise ShipmentNotFound()
    if order.payment_status != Order.PaymentStatus.PAID or order.status not in PAID_OPEN:
        raise OrderNotCancellable(f"A shipment of an order that is {order.status} cannot be cancelled.")
    fields = shipment_transition(shipment, SS.CANCELLED)
    shipment.cancellation_reason = reason
    _save(shipment, [*fields, "cancellation_reason"])
    shipment_release_stock(order, shipment, shipments)
    payment_handler().refund_order(
        order=order, amount=shipment.total_amount, reason="shipment_cancelled", shipment=shipment
    )
    order_sync(order, shipments)
    events.shipment_cancelled(shipment)
    return shipment


def _deliver(order: Order, shipments: list[Shipment], shipment: Shipment) -> Shipment:
    fields = shipment_transition(shipment, SS.DELIVERED)
    _save(shipment, fields)
    payment_handler().shipment_delivered(shipment=shipment)
    order_sync(order, shipments)
    events.shipment_delivered(shipment)
    return shipment


@transaction.atomic
def shipment_confirm_delivery(*, shipment_id, buyer) -> Shipment:
    """The buyer received one shipment (409 unless it is shipped)."""
    order, shipments, shipment = _locked_shipment(shipment_id)
    if order.buyer_id != buyer.pk:
        raise ShipmentNotFound()
    return _deliver(order, shipments, shipment)


def _deliver_shipped(order: Order) -> Order:
    shipments = _with_order(order, shipments_for_update(order.pk))
    shipped = [s for s in shipments if s.status == SS.SHIPPED]
    if not shipped:
        raise IllegalOrderTransition(f"An order that is {order.status} has no shipment on its way.")
    for shipment in shipped:
        _deliver(order, shipments, shipment)
    return order


@transaction.atomic
def order_confirm_delivery(*, order_id, buyer) -> Order:
    """The buyer received every shipped shipment of the order (409 when none is on its way)."""
    order = _locked_order(order_id)
    if order.buyer_id != buyer.pk:
        raise OrderNotFound()
    return _deliver_shipped(order)


@transaction.atomic
def order_mark_delivered(*, order_id) -> Order:
    """Staff or a carrier process marks every shipped shipment of an order delivered."""
    return _deliver_shipped(_locked_order(order_id))


def shipments_auto_deliver(*, now: datetime | None = None, batch_size: int = 200) -> int:
    """Deliver shipments ``ORDER_AUTO_DELIVER_DAYS`` after they shipped. Safe to run concurrently."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ORDER_AUTO_DELIVER_DAYS)
    candidates = list(
        Shipment.objects.filter(status=SS.SHIPPED, shipped_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:batch_size]
    )
    delivered = 0
    for shipment_id in candidates:
        with transaction.atomic():
            order, shipments, shipment = _locked_shipment(shipment_id)
            if (
                shipment.status == SS.SHIPPED
                and shipment.shipped_at is not None
                and shipment.shipped_at < cutoff
            ):
                _deliver(order, shipments, shipment)
                delivered += 1
    return delivered
