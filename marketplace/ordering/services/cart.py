"""Cart writes: each one locks the user's cart row, checks stock and announces the new count."""

from django.db import transaction

from designiaBackend.api.realtime import send_to_user_on_commit
from marketplace.catalog.models import Product, ProductVariant
from marketplace.lock_objects import cart_for_update
from marketplace.ordering.exceptions import (
    CurrencyMismatch,
    ItemNotInCart,
    OutOfStock,
    ProductUnavailable,
    VariantRequired,
)
from marketplace.ordering.models import Cart, CartItem
from marketplace.ordering.selectors import cart_items_count
from marketplace.ordering.variants import variant_for_cart, variant_label


def announce_cart_count(user, *, count: int | None = None):
    """Push the cart's unit count (``count`` when the caller knows it) to the user's activity
    sockets once the transaction commits."""
    count = cart_items_count(user=user) if count is None else count
    send_to_user_on_commit(str(user.pk), {"type": "cart_updated", "cart_count": count})


def purchasable_product(*, product_id, buyer) -> Product:
    product = Product.objects.filter(pk=product_id, is_active=True, deleted_at__isnull=True).first()
    if product is None:
        raise ProductUnavailable("This product is not available.")
    if product.seller_id == buyer.pk:
        raise ProductUnavailable("You cannot buy your own product.")
    return product


def ensure_in_stock(product: Product, quantity: int, variant: ProductVariant | None = None) -> None:
    """Refuse more units than the product (or the variant bought) has in stock."""
    left = product.stock_quantity if variant is None else variant.stock_quantity
    if quantity > left:
        name = product.name if variant is None else f"{product.name} ({variant_label(variant)})"
        raise OutOfStock(
            f"Not enough stock for {name}: only {left} left." if left else f"{name} is out of stock."
        )


def ensure_cart_currency(cart: Cart, product: Product) -> None:
    """One currency per cart (README, "Currency, tax and coupons"): the first line's currency."""
    item_currency = product.currency.upper()
    other = (
        CartItem.objects.filter(cart=cart)
        .exclude(product_id=product.pk)
        .values_list("product__currency", flat=True)
        .first()
    )
    if other is not None and other.upper() != item_currency:
        raise CurrencyMismatch(cart_currency=other.upper(), item_currency=item_currency)


@transaction.atomic
def cart_add_item(*, user, product_id, quantity: int, variant_id=None, options=None) -> Cart:
    """Add ``quantity`` units (to the existing line, if any); never beyond the stock. A product with
    variants takes the one ``variant_id`` or ``options`` names (``variant_for_cart``)."""
    cart = cart_for_update(user)
    product = purchasable_product(product_id=product_id, buyer=user)
    variant = variant_for_cart(product=product, variant_id=variant_id, options=options)
    ensure_cart_currency(cart, product)
    # The cart's lock keeps a product's line without a variant single (NULLs are distinct to the
    # one-line-per-variant constraint).
    item = CartItem.objects.filter(cart=cart, product=product, variant=variant).first()
    ensure_in_stock(product, (item.quantity if item else 0) + quantity, variant)
    if item:
        item.quantity += quantity
        item.save(update_fields=["quantity"])
    else:
        CartItem.objects.create(cart=cart, product=product, variant=variant, quantity=quantity)
    cart.save(update_fields=["updated_at"])
    announce_cart_count(user)
    return cart


def _lines_of(cart: Cart, product_id, variant_id):
    """The cart's lines of a product: of one variant when ``variant_id`` is given, else all of them
    (a client that knows no variants names the product)."""
    lines = CartItem.objects.filter(cart=cart, product_id=product_id)
    return lines if variant_id is None else lines.filter(variant_id=variant_id)


@transaction.atomic
def cart_update_item(*, user, product_id, quantity: int, variant_id=None) -> Cart:
    """Set the quantity of a line; 0 removes it. Without ``variant_id`` the product must have one
    line in the cart."""
    cart = cart_for_update(user)
    items = list(_lines_of(cart, product_id, variant_id).select_related("product", "variant")[:2])
    if not items:
        raise ItemNotInCart()
    if len(items) > 1:
        raise VariantRequired("Several variants of this product are in your cart: give variant_id.")
    [item] = items
    if quantity == 0:
        item.delete()
    else:
        product = purchasable_product(product_id=product_id, buyer=user)
        ensure_in_stock(product, quantity, item.variant)
        item.quantity = quantity
        item.save(update_fields=["quantity"])
    cart.save(update_fields=["updated_at"])
    announce_cart_count(user)
    return cart


@transaction.atomic
def cart_remove_item(*, user, product_id, variant_id=None) -> Cart:
    """Remove a product's line (of ``variant_id``; without it, every line of the product)."""
    cart = cart_for_update(user)
    deleted, _ = _lines_of(cart, product_id, variant_id).delete()
    if not deleted:
        raise ItemNotInCart()
    cart.save(update_fields=["updated_at"])
    announce_cart_count(user)
    return cart


@transaction.atomic
def cart_clear(*, user) -> Cart:
    cart = cart_for_update(user)
    cart.items.all().delete()
    cart.save(update_fields=["updated_at"])
    announce_cart_count(user)
    return cart
