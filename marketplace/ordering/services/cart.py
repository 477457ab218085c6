"""Cart writes: each one locks the user's cart row, checks stock and announces the new count."""

from django.db import transaction

from designiaBackend.api.realtime import send_to_user_on_commit
from marketplace.catalog.models import Product
from marketplace.lock_objects import cart_for_update
from marketplace.ordering.exceptions import (
    CurrencyMismatch,
    ItemNotInCart,
    OutOfStock,
    ProductUnavailable,
)
from marketplace.ordering.models import Cart, CartItem
from marketplace.ordering.selectors import cart_items_count


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


def ensure_in_stock(product: Product, quantity: int) -> None:
    if quantity > product.stock_quantity:
        left = product.stock_quantity
        message = (
            f"Not enough stock for {product.name}: only {left} left."
            if left
            else f"{product.name} is out of stock."
        )
        raise OutOfStock(message)


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
def cart_add_item(*, user, product_id, quantity: int) -> Cart:
    """Add ``quantity`` units (to the existing line, if any); never beyond the stock."""
    cart = cart_for_update(user)
    product = purchasable_product(product_id=product_id, buyer=user)
    ensure_cart_currency(cart, product)
    item = CartItem.objects.filter(cart=cart, product=product).first()
    ensure_in_stock(product, (item.quantity if item else 0) + quantity)
    if item:
        item.quantity += quantity
        item.save(update_fields=["quantity"])
    else:
        CartItem.objects.create(cart=cart, product=product, quantity=quantity)
    cart.save(update_fields=["updated_at"])
    announce_cart_count(user)
    return cart


@transaction.atomic
def cart_update_item(*, user, product_id, quantity: int) -> Cart:
    """Set the quantity of a line; 0 removes it."""
    cart = cart_for_update(user)
    item = CartItem.objects.filter(cart=cart, product_id=product_id).select_related("product").first()
    if item is None:
        raise ItemNotInCart()
    if quantity == 0:
        item.delete()
    else:
        product = purchasable_product(product_id=product_id, buyer=user)
        ensure_in_stock(product, quantity)
        item.quantity = quantity
        item.save(update_fields=["quantity"])
    cart.save(update_fields=["updated_at"])
    announce_cart_count(user)
    return cart


@transaction.atomic
def cart_remove_item(*, user, product_id) -> Cart:
    cart = cart_for_update(user)
    deleted, _ = CartItem.objects.filter(cart=cart, product_id=product_id).delete()
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
