"""Checkout: place the order (marketplace, one transaction), then open a payment session for it."""

import time
from typing import TYPE_CHECKING

from django.conf import settings

from authentication.selectors import shop_names, user_language
from designiaBackend.api.after_commit import must_happen
from designiaBackend.observability import metrics
from infrastructure.payments import (
    CheckoutSessionRequest,
    LineItem,
    PaymentProviderError,
    PaymentProviderUnavailable,
    get_gateway,
)
from infrastructure.storage import public_url
from marketplace.ordering.exceptions import ReservationSoldOut
from marketplace.ordering.selectors import buyer_destination_country, order_shipping_countries
from marketplace.ordering.services.checkout import (
    order_abandon_checkout,
    order_get_pending_for_buyer,
    order_place_from_cart,
)
from marketplace.ordering.services.reservations import order_reserve_again
from marketplace.tax.providers import tax_provider
from payment_system.checkout.exceptions import OrderNotPayable, PaymentProviderDown, PaymentProviderFailed
from payment_system.payments.models import Payment
from payment_system.payments.services import (
    payment_attach_first_session,
    payment_attach_session,
    payment_create_for_new_order,
    payment_create_for_order,
    payment_next_session_attempt,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from decimal import Decimal
    from uuid import UUID

    from authentication.models import User
    from marketplace.ordering.models import Order, OrderItem, Shipment

SESSION_ID_PLACEHOLDER = "{CHECKOUT_SESSION_ID}"


def checkout_return_url(order_id: object) -> str:
    """Contract C19: the order id in the path and in the query, plus Stripe's session id."""
    return (
        f"{settings.FRONTEND_URL}/checkout/confirmation/{order_id}"
        f"?order_id={order_id}&session_id={SESSION_ID_PLACEHOLDER}"
    )


def _item_line(item: "OrderItem", tax_behavior: str) -> LineItem:
    # A variant's line names its option values ("Oak Table (wood: oak, size: 120)").
    name = f"{item.product_name} ({item.variant_label})" if item.variant_label else item.product_name
    if item.discount_amount:
        # A line a coupon discounts is sent as one line of its discounted total (Stripe takes no
        # negative lines, and the discount need not divide by the quantity).
        return LineItem(
            name=f"{name} x {item.quantity} (discount {item.discount_amount})",
            unit_amount=item.total_price - item.discount_amount,
            quantity=1,
            image_url=public_url(item.product_image),
            tax_behavior=tax_behavior,
        )
    return LineItem(
        name=name,
        unit_amount=item.unit_price,
        quantity=item.quantity,
        image_url=public_url(item.product_image),
        tax_behavior=tax_behavior,
    )


def checkout_line_items(order: "Order", *, automatic_tax: bool = False) -> list[LineItem]:
    """The Stripe line items of an order; they add up to its total exactly.

    The items, the shipping, then each shipment's added tax as its own line named with the seller's
    shop (VAT inside EU sellers' prices is already in their item lines). With ``automatic_tax``
    (Stripe Tax) there are no tax lines: each item and each shipment's shipping says whether its
    price includes the tax, and Stripe adds the rest.
    """
    shipments = sorted(order.shipments.all(), key=lambda shipment: shipment.pk)  # loaded at checkout
    shops = shop_names(user_ids={shipment.seller_id for shipment in shipments})
    return stripe_line_items(
        order.items.all(), shipments, shops, shipping_cost=order.shipping_cost, automatic_tax=automatic_tax
    )


def stripe_line_items(
    items: "Iterable[OrderItem]",
    shipments: "list[Shipment]",
    shops: "dict[UUID, str]",
    *,
    shipping_cost: "Decimal",
    automatic_tax: bool = False,
) -> list[LineItem]:
    """``checkout_line_items`` from an order's items, shipments (by pk), the sellers' shop names
    and the order's shipping cost (no database)."""
    items = sorted(items, key=lambda item: (str(item.shipment_id), item.pk))
    behavior: dict[int | None, str] = {
        shipment.pk: ("inclusive" if shipment.prices_include_tax else "exclusive") if automatic_tax else ""
        for shipment in shipments
    }
    lines = [_item_line(item, behavior.get(item.shipment_id, "")) for item in items]
    if automatic_tax:
        lines += [
            LineItem(
                name=f"Shipping ({shops.get(shipment.seller_id, '')})",
                unit_amount=shipment.shipping_cost,
                quantity=1,
                tax_behavior=behavior[shipment.pk],
            )
            for shipment in shipments
            if shipment.shipping_cost
        ]
        return lines
    if shipping_cost:
        lines.append(LineItem(name="Shipping", unit_amount=shipping_cost, quantity=1))
    for shipment in shipments:
        # Tax added on top of this seller's prices (none when their prices include it).
        added = shipment.tax_amount - shipment.tax_included_amount
        if added:
            lines.append(
                LineItem(name=f"Tax ({shops.get(shipment.seller_id, '')})", unit_amount=added, quantity=1)
            )
    return lines


def session_lifetime_minutes() -> int:
    """The session lives as long as the stock reservation (within Stripe's 30 minutes to 24 hours)."""
    return int(min(max(settings.STOCK_RESERVATION_MINUTES, 30), 1440))


def _open_session(
    order: "Order", payment: Payment, *, expired_session_id: str | None = None, first: bool = False
) -> str:
    """Create a new session for the order (a new attempt number: a new idempotency key; ``first``:
    the payment was just created with attempt 1 and has no session yet)."""
    gateway = get_gateway()
    if not first:
        payment = payment_next_session_attempt(payment_id=payment.pk)
    automatic = tax_provider().automatic  # Stripe Tax computes the tax on the session
    request = CheckoutSessionRequest(
        reference=str(order.pk),
        currency=order.currency,
        line_items=checkout_line_items(order, automatic_tax=automatic),
        automatic_tax=automatic,
        customer_email=order.buyer.email,
        return_url=checkout_return_url(order.pk),
        idempotency_key=f"checkout-session-{order.pk}-{payment.session_attempt}",
        expires_at=int(time.time()) + session_lifetime_minutes() * 60,
        shipping_countries=order_shipping_countries(order=order),
        locale=user_language(user_id=order.buyer_id),  # Stripe Checkout in the buyer's language
    )
    try:
        session = gateway.create_checkout_session(request)
    except PaymentProviderUnavailable as exc:
        metrics.CHECKOUT_FAILURES.labels(reason="provider_error").inc()
        raise PaymentProviderDown() from exc
    except PaymentProviderError as exc:
        metrics.CHECKOUT_FAILURES.labels(reason="provider_error").inc()
        raise PaymentProviderFailed() from exc
    attached = first and payment_attach_first_session(payment_id=payment.pk, session=session)
    replaced = None if attached else payment_attach_session(payment_id=payment.pk, session=session)
    if replaced and replaced != expired_session_id:
        # Two retries at once both found the old session expired and opened one each: close the
        # one that lost, so one order never has two payable sessions.
        from payment_system.Tasks.payment_tasks import checkout_session_close_task

        must_happen(checkout_session_close_task, args=[replaced], key=f"checkout-session-close-{replaced}")
    if getattr(gateway, "completes_payments", False):
        from payment_system.Tasks.payment_tasks import dummy_checkout_complete_task

        must_happen(
            dummy_checkout_complete_task,
            args=[str(order.pk)],
            key=f"dummy-checkout-complete-{order.pk}-{payment.session_attempt}",
        )
    return session.client_secret


def checkout_start(*, buyer: "User", country: str = "") -> tuple["Order", str]:
    """E37: the order is placed atomically, priced for ``country`` (else the buyer's last one); if no
    session can be opened it is undone (cart refilled)."""
    country = buyer_destination_country(buyer=buyer, country=country)
    order = order_place_from_cart(buyer=buyer, country=country)
    payment = payment_create_for_new_order(order=order, provider=get_gateway().name)
    try:
        return order, _open_session(order, payment, first=True)
    except (PaymentProviderDown, PaymentProviderFailed):
        order_abandon_checkout(order_id=order.pk)
        raise


def checkout_retry(*, buyer: "User", order_id: "UUID | str") -> tuple["Order", str]:
    """E39: the open session of a pending order, or a new one when it expired."""
    order = order_get_pending_for_buyer(order_id=order_id, buyer=buyer)
    if order.status != order.Status.PENDING_PAYMENT:
        raise OrderNotPayable(f"This order is {order.status}; only orders waiting for payment can be paid.")
    payment = payment_create_for_order(order=order, provider=get_gateway().name)
    if payment.checkout_session_id and payment.status in (Payment.Status.PENDING, Payment.Status.FAILED):
        try:
            session = get_gateway().retrieve_checkout_session(payment.checkout_session_id)
        except PaymentProviderError as exc:
            raise PaymentProviderDown() from exc
        if session.status == "open" and session.client_secret:
            return order, session.client_secret
        if session.status == "complete":  # paid; the webhook has not arrived yet
            raise OrderNotPayable("This order's payment is being processed.")
        _reserve_for_new_session(order)
        return order, _open_session(order, payment, expired_session_id=session.id)
    expired = payment.checkout_session_id if payment.status == Payment.Status.EXPIRED else None
    _reserve_for_new_session(order)
    return order, _open_session(order, payment, expired_session_id=expired)


def _reserve_for_new_session(order: "Order") -> None:
    """A new session holds the stock again for its lifetime; 409 (the order cancelled) if sold out."""
    if not order_reserve_again(order_id=order.pk):
        raise ReservationSoldOut()


def dummy_checkout_complete(*, order_id: "UUID | str") -> str:
    """The dummy gateway's customer pays: the completion event goes through the webhook code path."""
    from payment_system.webhooks.services import webhook_event_process

    payment = Payment.objects.select_related("order__buyer").filter(order_id=order_id).first()
    gateway = get_gateway()
    if payment is None or not payment.checkout_session_id or not hasattr(gateway, "completion_event"):
        return "ignored"
    buyer = payment.order.buyer
    event = gateway.completion_event(
        session_id=payment.checkout_session_id,
        reference=str(order_id),
        amount=payment.order.total_amount,
        currency=payment.order.currency,
        email=buyer.email,
        name=f"{buyer.first_name} {buyer.last_name}".strip() or buyer.username,
    )
    return webhook_event_process(event=event)
