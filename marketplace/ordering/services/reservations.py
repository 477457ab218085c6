"""Stock held for minutes, not days: checkout reserves an order's stock until ``reserved_until``
(``STOCK_RESERVATION_MINUTES``). When the reservation ends unpaid the stock goes back at once and
the order stays ``pending_payment`` for its grace period; paying or retrying later takes the stock
again if it is still there, and cancels the order when it is not. Every write locks the order
first, then its shipments, then products, then variants (``marketplace.lock_objects``).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from marketplace.coupons.services import coupon_release_for_order
from marketplace.lock_objects import order_for_update, shipments_for_update
from marketplace.ordering.exceptions import ProductUnavailable, SoldOut
from marketplace.ordering.models import Order, Shipment
from marketplace.ordering.services.orders import send_order_email_on_commit, shipments_cancel_pending
from marketplace.ordering.services.stock import item_units, order_release_stock, stock_reserve
from marketplace.ordering.state import order_transition

S = Order.Status


def reservation_end(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(minutes=settings.STOCK_RESERVATION_MINUTES)


def lapsed_reservation_ids(*, now: datetime, limit: int) -> list:
    """Unpaid orders whose reservation ended while they still hold stock, oldest first."""
    return list(
        Order.objects.filter(status=S.PENDING_PAYMENT, stock_released=False, reserved_until__lt=now)
        .exclude(payment_status=Order.PaymentStatus.PAID)
        .order_by("reserved_until", "pk")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def order_release_reservation(*, order_id, now: datetime | None = None) -> bool:
    """The reservation of an unpaid order ended (its session expired, or ``now`` is past it): the
    stock goes back now, once; the order stays payable. False when there was nothing to release."""
    order = order_for_update(order_id)
    if order.status != S.PENDING_PAYMENT or order.payment_status == Order.PaymentStatus.PAID:
        return False
    if now is not None and (order.reserved_until is None or order.reserved_until >= now):
        return False
    return order_release_stock(order)


def _cancel_sold_out(order: Order) -> None:
    shipments_cancel_pending(shipments_for_update(order.pk), "out_of_stock")
    fields = order_transition(order, S.CANCELLED)
    order.cancellation_reason = "out_of_stock"
    order.save(update_fields=[*fields, "cancellation_reason"])
    coupon_release_for_order(order=order)
    send_order_email_on_commit(order, "cancelled")


def order_reserve_locked(*, order: Order) -> bool:
    """A locked pending order takes back the stock its lapsed reservation gave up. True when it
    holds its stock (again); False when the stock is gone: the order is then cancelled."""
    if not order.stock_released:
        return True
    try:
        stock_reserve(*item_units(order.items.all()))  # an unpaid order has nothing returned
    except (SoldOut, ProductUnavailable):
        _cancel_sold_out(order)
        return False
    Shipment.objects.filter(order=order).update(stock_released=False)
    order.stock_released = False
    order.save(update_fields=["stock_released", "updated_at"])
    return True


@transaction.atomic
def order_reserve_again(*, order_id) -> bool:
    """A retry of an unpaid order: hold its stock for another ``STOCK_RESERVATION_MINUTES``
    (taken again if it was released). False, and the order cancelled, when it is sold out."""
    order = order_for_update(order_id)
    if order.status != S.PENDING_PAYMENT:
        return order.status != S.CANCELLED
    if not order_reserve_locked(order=order):
        return False
    order.reserved_until = reservation_end()
    order.save(update_fields=["reserved_until", "updated_at"])
    return True
