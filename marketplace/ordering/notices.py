"""Notifications about orders and returns (beyond the shipment events of ``events``), raised
through ``designiaBackend.api.notifications`` inside the caller's transaction."""

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from designiaBackend.api.notifications import notify
from marketplace.ordering.models import Order, ReturnRequest


def _short(order_id) -> str:
    return str(order_id)[:8].upper()


def _buyer_url(order_id) -> str:
    return f"{settings.FRONTEND_URL}/orders/{order_id}"


def _seller_url(order_id) -> str:
    return f"{settings.FRONTEND_URL}/seller/orders/{order_id}"


def payment_confirmed(order: Order) -> None:
    """The buyer's payment arrived (the receipt e-mail is the order e-mail: no second one)."""
    notify(
        recipient=order.buyer_id,
        kind="payment_confirmed",
        event_key=f"payment_confirmed:{order.pk}",
        title=format_lazy(_("Payment confirmed for order {short_id}"), short_id=_short(order.pk)),
        body=format_lazy(
            _("We received your payment of {amount} {currency}. The makers are preparing it."),
            amount=order.total_amount,
            currency=order.currency,
        ),
        link_type="order",
        link_id=str(order.pk),
        url=_buyer_url(order.pk),
        email=False,
    )


def order_cancelled(order: Order, shipments) -> None:
    """Tell each seller whose paid part of ``order`` was cancelled by the buyer."""
    for seller_id in sorted({shipment.seller_id for shipment in shipments}):
        notify(
            recipient=seller_id,
            kind="order_cancelled",
            event_key=f"order_cancelled:{order.pk}:{seller_id}",
            title=format_lazy(_("Order {short_id} was cancelled"), short_id=_short(order.pk)),
            body=_(
                "The buyer cancelled this order before it shipped; do not send it. The buyer is refunded."
            ),
            link_type="order",
            link_id=str(order.pk),
            url=_seller_url(order.pk),
        )


def _sellers_of(request: ReturnRequest) -> list:
    if request.shipment is not None:
        return [request.shipment.seller_id]
    return sorted(set(request.items.values_list("order_item__seller_id", flat=True)))


def return_requested(request: ReturnRequest) -> None:
    lines = ", ".join(f"{line.quantity} x {line.order_item.product_name}" for line in request.items.all())
    for seller_id in _sellers_of(request):
        notify(
            recipient=seller_id,
            kind="return_requested",
            event_key=f"return_requested:{request.pk}:{seller_id}",
            title=format_lazy(_("Return requested for order {short_id}"), short_id=_short(request.order_id)),
            body=format_lazy(
                _("The buyer asked to return {lines} (reason: {reason}). Please decide."),
                lines=lines,
                reason=request.get_reason_display(),
            ),
            link_type="return_request",
            link_id=str(request.pk),
            url=_seller_url(request.order_id),
        )


def return_decided(request: ReturnRequest) -> None:
    approved = request.status == ReturnRequest.Status.APPROVED
    body = (
        format_lazy(
            _("Your return was approved; {amount} {currency} will be refunded."),
            amount=request.refund_amount,
            currency=request.order.currency,
        )
        if approved
        else _("Your return was rejected by the maker.")
    )
    if request.decision_note:
        body = format_lazy("{} {}", body, format_lazy(_("Note: {note}"), note=request.decision_note))
    notify(
        recipient=request.order.buyer_id,
        kind="return_approved" if approved else "return_rejected",
        event_key=f"return_decided:{request.pk}",
        title=format_lazy(
            (
                _("Your return for order {short_id} was approved")
                if approved
                else _("Your return for order {short_id} was rejected")
            ),
            short_id=_short(request.order_id),
        ),
        body=body,
        link_type="return_request",
        link_id=str(request.pk),
        url=_buyer_url(request.order_id),
    )
