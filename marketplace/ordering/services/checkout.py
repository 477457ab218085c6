"""Turning the server cart into an order: lock, reserve, snapshot, empty the cart, in one transaction.

A line of a product with variants reserves its variant's stock (and its product's), is priced at
the variant's price, weighs the variant's weight (else the product's) and keeps the variant, its
SKU and its option values on the order item."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from designiaBackend.db import keep_loaded
from designiaBackend.observability import metrics
from marketplace.catalog.models import Product, ProductImage, ProductVariant
from marketplace.coupons.pricing import CouponDiscount
from marketplace.coupons.services import coupon_for_checkout, coupon_redeem, coupon_release_for_order
from marketplace.lock_objects import cart_for_update, order_for_update
from marketplace.ordering.exceptions import (
    CurrencyMismatch,
    EmptyCart,
    NotShippableToCountry,
    OrderNotFound,
    ProductUnavailable,
    VariantRequired,
)
from marketplace.ordering.models import CartItem, Order, OrderItem, Shipment
from marketplace.ordering.pricing import ZERO, Quote, QuoteLine, line_key
from marketplace.ordering.services.cart import announce_cart_count
from marketplace.ordering.services.reservations import reservation_end
from marketplace.ordering.services.stock import order_release_stock, stock_reserve
from marketplace.ordering.state import order_transition
from marketplace.ordering.variants import variant_label
from marketplace.shipping.quotes import quote_for


def _primary_images(product_ids) -> dict:
    """The photo to snapshot per product (by pk) and per variant with photos of its own (by
    ``line_key(product pk, variant pk)``): the primary one, else the first."""
    images: dict = {}
    for image in ProductImage.objects.filter(product_id__in=product_ids).order_by(
        "-is_primary", "order", "id"
    ):
        if image.variant_id is None:
            images.setdefault(image.product_id, image)
        else:
            images.setdefault(line_key(image.product_id, image.variant_id), image)
    return images


def _image_of(line: QuoteLine, images: dict) -> str:
    image = images.get(line.key) or images.get(line.product.pk)
    return image.image.name if image is not None else ""


def order_shipments_create(order: Order, quote: Quote, images: dict) -> None:
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
            **_variant_snapshot(line),
            product_name=line.product.name,
            product_image=_image_of(line, images),
            unit_price=line.unit_price,
            quantity=line.quantity,
            total_price=line.amount,
            tax_amount=(group.line_taxes or {}).get(line.key, ZERO),
            discount_amount=(group.line_discounts or {}).get(line.key, ZERO),
        )
        for group, shipment in zip(groups, shipments, strict=True)
        for line in sorted(group.lines, key=_line_order)
    )
    keep_loaded(order, items=items, shipments=shipments)


def _catalogue_product(line: QuoteLine) -> Product:
    """The catalogue product a line was priced for (pricing reads any ``PricedProduct``; an order
    item points at a ``Product`` row)."""
    if not isinstance(line.product, Product):
        raise TypeError(f"An order line needs a catalogue product, not {type(line.product).__name__}.")
    return line.product


def _variant_snapshot(line: QuoteLine) -> dict:
    """The variant an order item keeps, with its SKU and option values as they are now."""
    variant = line.variant
    if variant is None:
        return {"variant": None, "sku": "", "variant_label": ""}
    if not isinstance(variant, ProductVariant):
        raise TypeError(f"An order line needs a catalogue variant, not {type(variant).__name__}.")
    return {"variant": variant, "sku": variant.sku, "variant_label": variant_label(variant)}


def _line_order(line: QuoteLine) -> tuple:
    """Items in product order, a product's variants in variant order (a product without variants
    first)."""
    return (line.product.pk, 0 if line.variant is None else line.variant.pk)


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


def _variant_priced_as(variant) -> tuple:
    """What the quote and the order's snapshot read of a variant."""
    return (variant.price, variant.weight, variant.sku, variant.options) if variant is not None else ()


def _quote_before_locks(lines, country: str) -> tuple[dict, dict, Quote] | None:
    """``({product_id: product as read}, {variant_id: variant as read}, quote)`` of the cart lines
    (their rows unlocked), or None when they could not make an order anyway (the locked rows then
    say why)."""
    products = {line.product_id: line.product for line in lines}
    variants = {line.variant_id: line.variant for line in lines if line.variant_id is not None}
    if len({product.currency.upper() for product in products.values()}) > 1:
        return None
    quote = quote_for(
        [QuoteLine(line.product, line.quantity, line.variant) for line in lines], country=country
    )
    return products, variants, quote


def _cart_units(lines) -> tuple[dict, dict]:
    """``({product_id: units}, {variant_id: units})`` of the cart lines (a product's units include
    its variants')."""
    quantities: dict = {}
    variant_quantities: dict = {}
    for line in lines:
        quantities[line.product_id] = quantities.get(line.product_id, 0) + line.quantity
        if line.variant_id is not None:
            variant_quantities[line.variant_id] = line.quantity
    return quantities, variant_quantities


def _ensure_variants_named(lines, products: dict) -> None:
    """A line of a (locked) product with variants must name one: a line added before the seller
    gave the product variants is refused (nothing reserved: the transaction rolls back)."""
    for line in lines:
        product = products[line.product_id]
        if line.variant_id is None and product.has_variants:
            metrics.CHECKOUT_FAILURES.labels(reason="variant_required").inc()
            raise VariantRequired(f"Choose a variant of {product.name} in your cart.")


@transaction.atomic
def order_place_from_cart(*, buyer, buyer_notes: str = "", country: str = "") -> Order:
    """Create a ``pending_payment`` order from the buyer's cart (one shipment per seller), reserve its
    stock, empty the cart."""
    cart = cart_for_update(buyer)
    lines = list(
        CartItem.objects.filter(cart=cart)
        .select_related("product", "variant")
        .order_by("product_id", "variant_id")
    )
    if not lines:
        metrics.CHECKOUT_FAILURES.labels(reason="empty_cart").inc()
        raise EmptyCart("Your cart is empty. Add items before checking out.")
    quantities, variant_quantities = _cart_units(lines)
    # Read before the product locks, which every checkout of these products queues on: the photos
    # to snapshot, and (without a coupon, which is locked after the products) the quote, kept if the
    # locked rows price the same.
    images = _primary_images(quantities)
    early = _quote_before_locks(lines, country) if cart.coupon_id is None else None
    products, variants = stock_reserve(quantities, variant_quantities)
    _ensure_variants_named(lines, products)
    if any(product.seller_id == buyer.pk for product in products.values()):
        raise ProductUnavailable("You cannot buy your own product.")
    currencies = sorted({product.currency.upper() for product in products.values()})
    if len(currencies) > 1:
        # Carts filled before the one-currency rule (or a product whose currency changed since).
        metrics.CHECKOUT_FAILURES.labels(reason="currency_mismatch").inc()
        raise CurrencyMismatch(cart_currency=currencies[0], item_currency=currencies[1])
    quote_lines = [
        QuoteLine(products[line.product_id], line.quantity, variants.get(line.variant_id)) for line in lines
    ]
    # Locked after the products and variants (the fixed order); its last use taken meanwhile answers 409.
    coupon = coupon_for_checkout(cart=cart, buyer=buyer, lines=quote_lines)
    if (
        early is not None
        and coupon is None
        and all(_priced_as(product) == _priced_as(early[0][pk]) for pk, product in products.items())
        and all(_variant_priced_as(row) == _variant_priced_as(early[1][pk]) for pk, row in variants.items())
    ):
        quote = early[2]
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
            cart=cart, product_id=item.product_id, variant_id=item.variant_id, defaults={"quantity": 0}
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
