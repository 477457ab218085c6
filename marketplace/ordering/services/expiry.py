"""The payment-timeout sweep, set-wise: a batch of overdue unpaid orders is cancelled and its stock
released in one transaction of a few statements, whatever the batch size.

Locks follow ``marketplace.lock_objects``: the batch's orders (pk order), then their shipments (pk
order), then the products and their variants (pk order, ``stock_restore``). Only orders whose payment session cannot be
paid any more are taken (see ``orders_unpayable_among``); the e-mails go out as one batch task.
"""

import hashlib
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from designiaBackend.api.after_commit import must_happen
from marketplace.lock_objects import shipments_of_orders_for_update, unpaid_orders_for_update
from marketplace.ordering.models import Order, OrderItem, Shipment
from marketplace.ordering.services.stock import item_units, stock_restore
from marketplace.ordering.state import order_transition, shipment_transition

S, SS = Order.Status, Shipment.Status
# A checkout session lives at most 24 hours (Stripe's limit; ``session_lifetime_minutes``).
SESSION_LIFETIME_LIMIT = timedelta(hours=24)


def orders_unpayable_among(order_ids, *, now: datetime) -> list:
    """The orders of ``order_ids`` whose session is over without asking the provider: the stock
    was given back when the reservation ended (the sweep expired the session first, or Stripe said
    it expired), or the last reservation, and so the last session, ended over a day ago."""
    over = (
        Q(reserved_until__isnull=True)
        | Q(reserved_until__lt=now - SESSION_LIFETIME_LIMIT)
        | Q(stock_released=True, reserved_until__lt=now)
    )
    return list(Order.objects.filter(over, pk__in=order_ids).order_by("pk").values_list("pk", flat=True))


def _batch_key(kind: str, order_ids: list) -> str:
    digest = hashlib.sha256(",".join(sorted(str(pk) for pk in order_ids)).encode()).hexdigest()[:32]
    return f"order-emails-{kind}-{digest}"


@transaction.atomic
def orders_expire_unpaid_batch(*, order_ids, reason: str = "payment_timeout") -> list:
    """Cancel the still-unpaid orders among ``order_ids`` and release their stock, set-wise.
    Returns the ids cancelled (an order paid or cancelled meanwhile is left alone)."""
    orders = unpaid_orders_for_update(order_ids)
    if not orders:
        return []
    ids = [order.pk for order in orders]
    shipments = shipments_of_orders_for_update(ids)
    released = {shipment.pk for shipment in shipments if shipment.stock_released}
    holding = [order.pk for order in orders if not order.stock_released]
    items = OrderItem.objects.filter(order_id__in=holding).only(
        "product_id", "variant_id", "shipment_id", "quantity", "returned_quantity"
    )
    stock_restore(*item_units(item for item in items if item.shipment_id not in released))

    # Every row of the batch ends the same way: one UPDATE per kind of row, not one per row.
    now = timezone.now()
    pending = [shipment for shipment in shipments if shipment.status == SS.PENDING]
    for shipment in pending:
        shipment_transition(shipment, SS.CANCELLED)  # checks the move; the values are set below
    Shipment.objects.filter(pk__in=[shipment.pk for shipment in pending]).update(
        status=SS.CANCELLED, cancelled_at=now, cancellation_reason=reason[:40]
    )
    Shipment.objects.filter(pk__in=[shipment.pk for shipment in shipments]).update(
        stock_released=True, updated_at=now
    )

    for order in orders:
        order_transition(order, S.CANCELLED)
    Order.objects.filter(pk__in=ids).update(
        status=S.CANCELLED, cancelled_at=now, cancellation_reason=reason, stock_released=True, updated_at=now
    )

    from marketplace.ordering.tasks import order_emails_send_task

    must_happen(
        order_emails_send_task, args=[[str(pk) for pk in ids], "cancelled"], key=_batch_key("cancelled", ids)
    )
    return ids
