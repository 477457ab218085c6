"""Return requests (E43): asked by the buyer after delivery, decided by a seller of the items or staff.

Approval restocks the returned units and refunds them (their price plus their share of the tax).
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from designiaBackend.errors import PermissionDeniedError
from marketplace.lock_objects import order_for_update, return_request_for_update
from marketplace.ordering import notices
from marketplace.ordering.exceptions import (
    InvalidReturnItems,
    OrderNotFound,
    ReturnAlreadyDecided,
    ReturnNotAllowed,
)
from marketplace.ordering.models import Order, OrderItem, ReturnRequest, ReturnRequestItem, Shipment
from marketplace.ordering.ports import payment_handler
from marketplace.ordering.pricing import CENT, ZERO, money, unit_of
from marketplace.ordering.services.return_photos import return_photos_store
from marketplace.ordering.services.stock import stock_restore
from marketplace.ordering.state import shipment_transition


def _requested_quantities(order, lines) -> dict:
    """``{order_item_id: quantity}`` from ``[{"itemId", "quantity"}]``, checked against the order."""
    wanted: dict[str, int] = {}
    for line in lines:
        wanted[str(line["itemId"])] = wanted.get(str(line["itemId"]), 0) + line["quantity"]
    items = {str(item.pk): item for item in OrderItem.objects.filter(order=order)}
    open_returns = ReturnRequestItem.objects.filter(
        return_request__order=order, return_request__status=ReturnRequest.Status.REQUESTED
    )
    pending: dict[int, int] = {}
    for line in open_returns:
        pending[line.order_item_id] = pending.get(line.order_item_id, 0) + line.quantity
    result = {}
    for item_id, quantity in wanted.items():
        item = items.get(item_id)
        if item is None:
            raise InvalidReturnItems(f"Item {item_id} is not part of this order.")
        available = item.quantity - item.returned_quantity - pending.get(item.pk, 0)
        if quantity > available:
            raise InvalidReturnItems(f"You can return at most {available} of {item.product_name}.")
        result[item] = quantity
    return result


def _delivered_shipments(order, quantities: dict) -> dict:
    """``{shipment: {item: quantity}}``; every item's shipment must be delivered and in its window."""
    shipments = {shipment.pk: shipment for shipment in order.shipments.all()}
    grouped: dict = {}
    for item, quantity in quantities.items():
        shipment = shipments.get(item.shipment_id)
        if shipment is None or shipment.status != Shipment.Status.DELIVERED:
            status = shipment.status if shipment else order.status
            raise ReturnNotAllowed(f"Only delivered items can be returned; {item.product_name} is {status}.")
        window_end = shipment.delivered_at + timedelta(days=settings.RETURN_WINDOW_DAYS)
        if timezone.now() > window_end:
            raise ReturnNotAllowed(f"The {settings.RETURN_WINDOW_DAYS}-day return window has closed.")
        grouped.setdefault(shipment, {})[item] = quantity
    return grouped


@transaction.atomic
def return_request_create(*, order_id, buyer, items, reason, comment="", proof_images=()) -> ReturnRequest:
    """The buyer asks to return delivered items: one request per shipment (each seller decides
    their own); answers the first."""
    try:
        order = order_for_update(order_id)
    except Order.DoesNotExist:
        raise OrderNotFound() from None
    if order.buyer_id != buyer.pk:
        raise OrderNotFound()
    if order.status not in (
        Order.Status.SHIPPED,
        Order.Status.DELIVERED,
    ) and order.fulfillment_status not in (
        Order.Fulfillment.PARTIALLY_DELIVERED,
        Order.Fulfillment.DELIVERED,
    ):
        raise ReturnNotAllowed(f"Only delivered orders can be returned; this one is {order.status}.")
    grouped = _delivered_shipments(order, _requested_quantities(order, items))
    proof_images = return_photos_store(proof_images)  # data URLs -> stored photos without metadata
    requests = []
    for shipment, quantities in sorted(grouped.items(), key=lambda pair: pair[0].pk):
        request = ReturnRequest.objects.create(
            order=order, shipment=shipment, reason=reason, comment=comment, proof_images=list(proof_images)
        )
        ReturnRequestItem.objects.bulk_create(
            ReturnRequestItem(return_request=request, order_item=item, quantity=quantity)
            for item, quantity in quantities.items()
        )
        requests.append(request)
        notices.return_requested(request)
    return requests[0]


def _decidable(return_request_id, actor) -> ReturnRequest:
    order_id = ReturnRequest.objects.filter(pk=return_request_id).values_list("order_id", flat=True).first()
    if order_id is None:
        raise OrderNotFound("Return request not found.")
    order_for_update(order_id)  # the order first, as everywhere
    request = return_request_for_update(return_request_id)
    sellers = set(request.items.values_list("order_item__seller_id", flat=True))
    if not actor.is_staff and sellers != {actor.pk}:
        raise PermissionDeniedError("Only the seller of these items or staff can decide this return.")
    if request.status != ReturnRequest.Status.REQUESTED:
        raise ReturnAlreadyDecided()
    return request


def refund_amount_for(part, lines, *, currency: str = ""):
    """What the returned ``lines`` of ``part`` (the shipment, or the order for a request that names
    none) give back: each returned unit refunds its line's paid share (its price less its part of
    the coupon's discount, plus its part of the tax added on top; none of the VAT inside an EU
    seller's prices), by cumulative shares, so a line's refunds never exceed what it paid and add
    up to it once every unit is back. Shipping, and the tax on it, are kept. Rounded to the
    ``currency``'s minor unit."""
    inclusive = getattr(part, "prices_include_tax", False)
    unit = unit_of(currency)
    total = ZERO
    for line in lines:
        item = line.order_item
        after = item.returned_quantity  # already counts this request's units (approve sets it first)
        before = after - line.quantity
        paid = item.total_price - item.discount_amount + (ZERO if inclusive else item.tax_amount)
        total += line_refund(paid, item.quantity, before, after, unit)
    return money(total, unit)


def line_refund(paid, quantity: int, before: int, after: int, unit=CENT):
    """The refund of units ``before+1 .. after`` of a line that paid ``paid`` for ``quantity``:
    cumulative shares, so the refunds of one line add up to exactly ``paid`` once every unit is back
    and never exceed it."""
    return money(paid * after / quantity, unit) - money(paid * before / quantity, unit)


def _mark_returned_if_complete(request: ReturnRequest) -> None:
    """A shipment whose every unit came back becomes ``returned``."""
    shipment = request.shipment
    if shipment is None or shipment.status != Shipment.Status.DELIVERED:
        return
    if all(item.returned_quantity >= item.quantity for item in shipment.items.all()):
        fields = shipment_transition(shipment, Shipment.Status.RETURNED)
        shipment.save(update_fields=fields)


@transaction.atomic
def return_request_approve(*, return_request_id, actor, note: str = "") -> ReturnRequest:
    request = _decidable(return_request_id, actor)
    lines = list(request.items.select_related("order_item"))
    restock: dict[int, int] = {}
    restock_variants: dict[int, int] = {}
    for line in lines:
        item = line.order_item
        item.returned_quantity += line.quantity
        item.save(update_fields=["returned_quantity"])
        restock[item.product_id] = restock.get(item.product_id, 0) + line.quantity
        if item.variant_id is not None:
            restock_variants[item.variant_id] = restock_variants.get(item.variant_id, 0) + line.quantity
    stock_restore(restock, restock_variants)
    request.status = ReturnRequest.Status.APPROVED
    request.refund_amount = refund_amount_for(
        request.shipment or request.order, lines, currency=request.order.currency
    )
    request.decided_by, request.decision_note, request.decided_at = actor, note, timezone.now()
    request.save()
    _mark_returned_if_complete(request)
    if request.order.payment_status == Order.PaymentStatus.PAID and request.refund_amount > ZERO:
        payment_handler().refund_order(
            order=request.order,
            amount=request.refund_amount,
            reason="return_approved",
            return_request=request,
        )
    notices.return_decided(request)
    return request


@transaction.atomic
def return_request_reject(*, return_request_id, actor, note: str = "") -> ReturnRequest:
    request = _decidable(return_request_id, actor)
    request.status = ReturnRequest.Status.REJECTED
    request.decided_by, request.decision_note, request.decided_at = actor, note, timezone.now()
    request.save()
    notices.return_decided(request)
    return request
