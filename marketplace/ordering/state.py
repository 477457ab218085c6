"""The order state machine: the one place that knows which status may follow which."""

from django.utils import timezone

from designiaBackend.observability import metrics
from marketplace.ordering.exceptions import IllegalOrderTransition
from marketplace.ordering.models import Order

S = Order.Status

TRANSITIONS = {
    S.PENDING_PAYMENT: {S.PAYMENT_CONFIRMED, S.CANCELLED},
    S.PAYMENT_CONFIRMED: {S.AWAITING_SHIPMENT, S.SHIPPED, S.CANCELLED},
    S.AWAITING_SHIPMENT: {S.SHIPPED, S.CANCELLED},
    S.SHIPPED: {S.DELIVERED},
    S.DELIVERED: {S.REFUNDED},  # every item returned and refunded
    S.CANCELLED: {S.REFUNDED},  # a paid order cancelled, once the refund is confirmed
    S.REFUNDED: set(),
}

# Statuses a buyer may still cancel from (contract E42).
CANCELLABLE = (S.PENDING_PAYMENT, S.PAYMENT_CONFIRMED, S.AWAITING_SHIPMENT)
# Statuses a seller may ship from (contract E46).
SHIPPABLE = (S.PAYMENT_CONFIRMED, S.AWAITING_SHIPMENT)
# Paid and waiting for the seller: shown under ``awaiting_shipment`` to sellers (E45, E44).
AWAITING_SHIPMENT_GROUP = (S.PAYMENT_CONFIRMED, S.AWAITING_SHIPMENT)

TIMESTAMPS = {
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
    order.status = to
    fields = ["status", "updated_at"]
    stamp = TIMESTAMPS.get(to)
    if stamp:
        setattr(order, stamp, timezone.now())
        fields.append(stamp)
    metrics.ORDER_STATUS_TRANSITIONS.labels(status=to).inc()
    return fields
