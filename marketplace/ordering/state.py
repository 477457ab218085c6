"""The order and shipment state machines: the one place that knows which status may follow which.

An order has one shipment per seller. Once paid, the order's ``status`` and ``fulfillment_status``
are derived from its shipments (``order_sync_with_shipments``): ``shipped`` once every live
(not cancelled) shipment has shipped, ``delivered`` once every one is delivered, ``cancelled`` when
every shipment was cancelled.
"""

from django.utils import timezone

from designiaBackend.observability import metrics
from marketplace.ordering.exceptions import IllegalOrderTransition, IllegalShipmentTransition
from marketplace.ordering.models import Order, Shipment

S = Order.Status
SS = Shipment.Status
F = Order.Fulfillment

# Keyed by the status strings the models hold (TextChoices members are those strings).
TRANSITIONS: dict[str, set[str]] = {
    S.PENDING_PAYMENT: {S.PAYMENT_CONFIRMED, S.CANCELLED},
    S.PAYMENT_CONFIRMED: {S.AWAITING_SHIPMENT, S.SHIPPED, S.CANCELLED},
    S.AWAITING_SHIPMENT: {S.SHIPPED, S.DELIVERED, S.CANCELLED},  # delivered: the rest was cancelled
    S.SHIPPED: {S.DELIVERED},
    # (a shipped or delivered order whose every other shipment was cancelled stays as it is)
    S.DELIVERED: {S.REFUNDED},  # every item returned and refunded
    S.CANCELLED: {S.REFUNDED},  # a paid order cancelled, once the refund is confirmed
    S.REFUNDED: set(),
}

# Statuses a buyer may still cancel from (contract E42).
CANCELLABLE = (S.PENDING_PAYMENT, S.PAYMENT_CONFIRMED, S.AWAITING_SHIPMENT)
# Paid and waiting for the seller: shown under ``awaiting_shipment`` to sellers (E45, E44).
AWAITING_SHIPMENT_GROUP = (S.PAYMENT_CONFIRMED, S.AWAITING_SHIPMENT)

TIMESTAMPS: dict[str, str] = {
    S.PAYMENT_CONFIRMED: "paid_at",
    S.SHIPPED: "shipped_at",
    S.DELIVERED: "delivered_at",
    S.CANCELLED: "cancelled_at",
}


def can_transition(order: Order, to: str) -> bool:
    return to in TRANSITIONS[order.status]


def order_transition(order: Order, to: str) -> list[str]:
    """Move a locked ``order`` to ``to`` in memory; returns the fields to save. 409 if illegal."""
    if not can_transition(order, to):
        raise IllegalOrderTransition(f"An order that is {order.status} cannot become {to}.")
    fields = _status_set(order, to, TIMESTAMPS)
    metrics.ORDER_STATUS_TRANSITIONS.labels(status=to).inc()
    return fields


def _status_set(row: Order | Shipment, to: str, timestamps: dict[str, str]) -> list[str]:
    """Set ``row.status`` to ``to`` and stamp the time field ``to`` has, if any; the fields to save."""
    row.status = to
    fields = ["status", "updated_at"]
    stamp = timestamps.get(to)
    if stamp:
        setattr(row, stamp, timezone.now())
        fields.append(stamp)
    return fields


SHIPMENT_TRANSITIONS: dict[str, set[str]] = {
    SS.PENDING: {SS.SHIPPED, SS.CANCELLED},
    SS.SHIPPED: {SS.DELIVERED},
    SS.DELIVERED: {SS.RETURNED},  # every unit of it came back
    SS.CANCELLED: set(),
    SS.RETURNED: set(),
}
SHIPMENT_TIMESTAMPS: dict[str, str] = {
    SS.SHIPPED: "shipped_at",
    SS.DELIVERED: "delivered_at",
    SS.CANCELLED: "cancelled_at",
}
# Order statuses in which sellers ship (a partially shipped order is still ``awaiting_shipment``).
PAID_OPEN = (S.PAYMENT_CONFIRMED, S.AWAITING_SHIPMENT, S.SHIPPED, S.DELIVERED)
LIVE = (SS.PENDING, SS.SHIPPED, SS.DELIVERED, SS.RETURNED)
# A seller sees their shipment's status in the order's vocabulary (contract §5.8).
SHIPMENT_AS_ORDER_STATUS: dict[str, str] = {
    SS.PENDING: S.AWAITING_SHIPMENT,
    SS.SHIPPED: S.SHIPPED,
    SS.DELIVERED: S.DELIVERED,
    SS.CANCELLED: S.CANCELLED,
    SS.RETURNED: S.REFUNDED,
}


def shipment_transition(shipment: Shipment, to: str) -> list[str]:
    """Move a locked ``shipment`` to ``to`` in memory; returns the fields to save. 409 if illegal."""
    if to not in SHIPMENT_TRANSITIONS[shipment.status]:
        raise IllegalShipmentTransition(f"A shipment that is {shipment.status} cannot become {to}.")
    return _status_set(shipment, to, SHIPMENT_TIMESTAMPS)


def fulfillment_of(shipments: list[Shipment]) -> str:
    """The fulfilment status of an order with these shipments."""
    live = [s for s in shipments if s.status in LIVE]
    shipped = [s for s in live if s.status != SS.PENDING]
    delivered = [s for s in live if s.status in (SS.DELIVERED, SS.RETURNED)]
    if live and len(delivered) == len(live):
        return F.DELIVERED
    if delivered:
        return F.PARTIALLY_DELIVERED
    if live and len(shipped) == len(live):
        return F.SHIPPED
    return F.PARTIALLY_SHIPPED if shipped else F.UNFULFILLED


def _derived_status(order: Order, fulfillment: str, shipments: list[Shipment]) -> str:
    if not any(s.status in LIVE for s in shipments):
        return S.CANCELLED
    if fulfillment == F.DELIVERED:
        return S.DELIVERED
    if fulfillment == F.SHIPPED:
        return S.SHIPPED
    if order.status == S.PAYMENT_CONFIRMED:
        return S.AWAITING_SHIPMENT
    return order.status if order.status in (S.SHIPPED, S.DELIVERED) else S.AWAITING_SHIPMENT


def order_sync_with_shipments(order: Order, shipments: list[Shipment]) -> list[str]:
    """Derive a locked, paid order's status, fulfilment and tracking from its shipments (in memory);
    returns the fields to save. Orders that are not paid and open are left alone."""
    fields = []
    fulfillment = fulfillment_of(shipments)
    if order.fulfillment_status != fulfillment:
        order.fulfillment_status = fulfillment
        fields.append("fulfillment_status")
    first = min(
        (s for s in shipments if s.shipped_at and s.tracking_number),
        key=lambda s: (s.shipped_at, s.pk),
        default=None,
    )
    if first is not None and order.tracking_number != first.tracking_number:
        order.tracking_number, order.shipping_carrier = first.tracking_number, first.shipping_carrier
        order.carrier_code = first.carrier_code
        fields += ["tracking_number", "shipping_carrier", "carrier_code"]
    if order.status in PAID_OPEN:
        status = _derived_status(order, fulfillment, shipments)
        if status != order.status:
            fields += order_transition(order, status)
    return fields


def viewer_status(order: Order, shipment: Shipment | None) -> str:
    """The order's status as a seller sees it: their shipment's, once the order is paid and open."""
    if shipment is None or order.status not in PAID_OPEN:
        return order.status
    return SHIPMENT_AS_ORDER_STATUS[shipment.status]
