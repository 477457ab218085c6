"""Turning the server cart into an order: lock, reserve, snapshot, empty the cart, in one transaction."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from designiaBackend.db import keep_loaded
from designiaBackend.observability import metrics
from marketplace.catalog.models import Product, ProductImage
from marketplace.coupons.pricing import CouponDiscount
from marketplace.coupons.services import coupon_for_checkout, coupon_redeem, coupon_release_for_order
from marketplace.lock_objects import cart_for_update, order_for_update
from marketplace.ordering.exceptions import (
    CurrencyMismatch,
    EmptyCart,
    NotShippableToCountry,
    OrderNotFound,
    ProductUnavailable,
)
from marketplace.ordering.models import CartItem, Order, OrderItem, Shipment
from marketplace.ordering.pricing import ZERO, Quote, QuoteLine
from marketplace.ordering.services.cart import announce_cart_count
from marketplace.ordering.services.reservations import reservation_end
from marketplace.ordering.services.stock import order_release_stock, stock_reserve
from marketplace.ordering.state import order_transition
from marketplace.shipping.quotes import quote_for


def _primary_images(product_ids) -> dict[int, ProductImage]:
    images: dict[int, ProductImage] = {}
    for image in ProductImage.objects.filter(product_id__in=product_ids).order_by(
        "-is_primary", "order", "id"
    ):
        images.setdefault(image.product_id, image)
    return images


def order_shipments_create(order: Order, quote: Quote, images: dict[int, ProductImage]) -> None:
    """One shipment per seller group, holding that group's totals and items: two INSERTs whatever the
    number of sellers (MariaDB returns the new shipments' ids from the bulk insert). The order keeps
    them as its loaded ``items`` and ``shipments``, so the payment session's lines read nothing."""
    groups = list(quote.groups)
    shipments = Shipment.objects.bulk_create(
        Shipment(
            order=order,
            seller_id=group.seller_id,
            ships_by=ships_by(group.shipping),
            tax_rate=group.tax_rate,
            prices_include_tax=group.prices_include_tax,
            platform_discount_amount=group.platform_discount,
            **group.totals.stored(),
        )
        for group in groups
    )
    items = OrderItem.objects.bulk_create(
        OrderItem(
            order=order,
            shipment=shipment,
            product=_catalogue_product(line),
            seller_id=group.seller_id,
            product_name=line.product.name,
            product_image=images[line.product.pk].image.name if line.product.pk in images else "",
            unit_price=line.product.price,
            quantity=line.quantity,
            total_price=line.amount,
            tax_amount=(group.line_taxes or {}).get(line.product.pk, ZERO),
            discount_amount=(group.line_discounts or {}).get(line.product.pk, ZERO),
        )
        for group, shipment in zip(groups, shipments, strict=True)
        for line in sorted(group.lines, key=lambda line: line.product.pk)
    )
    keep_loaded(order, items=items, shipments=shipments)


def _catalogue_product(line: QuoteLine) -> Product:
    """The catalogue product a line was priced for (pricing reads any ``PricedProduct``; an order
    item points at a ``Product`` row)."""
    if not isinstance(line.product, Product):
        raise TypeError(f"An order line needs a catalogue product, not {type(line.product).__name__}.")
    return line.product


def ships_by(shipping) -> date | None:
    """The latest day a group ships: today plus the longest processing time of its profile."""
    if shipping.processing_days is None:
        return None
    return timezone.localdate() + timedelta(days=shipping.processing_days[1])


def _priced_as(product) -> tuple:
    """What the quote and the order's snapshot read of a product."""
    return (
        product.name,
        product.price,
        product.currency,
        product.seller_id,
        product.weight,
        product.shipping_profile_id,
    )


def _quote_before_locks(lines, country: str) -> tuple[dict, Quote] | None:
    """``({product_id: product as read}, quote)`` of the cart lines (their products unlocked), or
    None when they could not make an order anyway (the locked rows then say why)."""
    products = {line.product_id: line.product for line in lines}
    if len({product.currency.upper() for product in products.values()}) > 1:
        return None
    return products, quote_for([QuoteLine(line.product, line.quantity) for line in lines], country=country)


@transaction.atomic
def order_place_from_cart(*, buyer, buyer_notes: str = "", country: str = "") -> Order:
    """Create a ``pending_payment`` order from the buyer's cart (one shipment per seller), reserve its
    stock, empty the cart."""
    cart = cart_for_update(buyer)
    lines = list(CartItem.objects.filter(cart=cart).select_related("product").order_by("product_id"))
    if not lines:
        metrics.CHECKOUT_FAILURES.labels(reason="empty_cart").inc()
        raise EmptyCart("Your cart is empty. Add items before checking out.")
    quantities = {line.product_id: line.quantity for line in lines}
    # Read before the product locks, which every checkout of these products queues on: the photos
    # to snapshot, and (without a coupon, which is locked after the products) the quote, kept if the
    # locked rows price the same.
    images = _primary_images(quantities)
    early = _quote_before_locks(lines, country) if cart.coupon_id is None else None
    products = stock_reserve(quantities)
    if any(product.seller_id == buyer.pk for product in products.values()):
        raise ProductUnavailable("You cannot buy your own product.")
    currencies = sorted({product.currency.upper() for product in products.values()})
    if len(currencies) > 1:
        # Carts filled before the one-currency rule (or a product whose currency changed since).
        metrics.CHECKOUT_FAILURES.labels(reason="currency_mismatch").inc()
        raise CurrencyMismatch(cart_currency=currencies[0], item_currency=currencies[1])
    quote_lines = [QuoteLine(products[pk], quantity) for pk, quantity in quantities.items()]
    # Locked after the products (the fixed order); its last use taken meanwhile answers 409.
    coupon = coupon_for_checkout(cart=cart, buyer=buyer, lines=quote_lines)
    if (
        early is not None
        and coupon is None
        and all(_priced_as(product) == _priced_as(early[0][pk]) for pk, product in products.items())
    ):
        quote = early[1]
    else:
        quote = quote_for(
            quote_lines, country=country, discount=CouponDiscount.of(coupon) if coupon else None
        )
    if quote.unshippable:
        names = ", ".join(products[pk].name for pk in quote.unshippable)
        metrics.CHECKOUT_FAILURES.labels(reason="not_shippable").inc()
        raise NotShippableToCountry(f"{names} cannot be shipped to {country or 'your country'}.")
    order = Order.objects.create(
        buyer=buyer,
        currency=currencies[0],
        buyer_notes=buyer_notes,
        shipping_country=country,
        reserved_until=reservation_end(),
        **quote.totals.stored(),
    )
    order_shipments_create(order, quote, images)
    if coupon is not None and quote.totals.discount_amount > ZERO:
        coupon_redeem(coupon=coupon, buyer=buyer, order=order, discount_amount=quote.totals.discount_amount)
    CartItem.objects.filter(cart=cart).delete()
    if cart.coupon_id is not None:
        cart.coupon = None
        cart.save(update_fields=["coupon"])
    metrics.ORDER_STATUS_TRANSITIONS.labels(status=Order.Status.PENDING_PAYMENT).inc()
    metrics.ORDER_VALUE.labels(currency=order.currency).observe(float(order.total_amount))
    announce_cart_count(buyer, count=0)
    return order


@transaction.atomic
def order_abandon_checkout(*, order_id) -> Order:
    """The provider refused to open a payment for a new order: cancel it and refill the cart."""
    order = order_for_update(order_id)
    if order.status != Order.Status.PENDING_PAYMENT:
        return order
    fields = order_transition(order, Order.Status.CANCELLED)
    order.cancellation_reason = "checkout_failed"
    order.save(update_fields=[*fields, "cancellation_reason"])
    order_release_stock(order)
    coupon_release_for_order(order=order)
    cart = cart_for_update(order.buyer)
    for item in order.items.all():
        line, _ = CartItem.objects.get_or_create(
            cart=cart, product_id=item.product_id, defaults={"quantity": 0}
        )
        line.quantity += item.quantity
        line.save(update_fields=["quantity"])
    announce_cart_count(order.buyer)
    return order


def order_get_pending_for_buyer(*, order_id, buyer) -> Order:
    order = Order.objects.filter(pk=order_id, buyer=buyer).prefetch_related("items").first()
    if order is None:
        raise OrderNotFound()
    return order
