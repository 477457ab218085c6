"""Stock reservation and release. Products are locked (pk order), then their variants (pk order),
before any change.

A product's quantities include its variants' units: a variant's stock and its product's
``stock_quantity`` (the sum of its active variants') change by the same amount together.
"""

from itertools import groupby

from django.db.models import F

from designiaBackend.api.after_commit import best_effort
from designiaBackend.observability import metrics
from marketplace.alerts.services import stock_alerts_schedule
from marketplace.catalog.categories.selectors import category_tree_invalidate
from marketplace.catalog.models import Product, ProductVariant
from marketplace.lock_objects import product_pks_for_update, products_for_update, variants_for_update
from marketplace.ordering.exceptions import ProductUnavailable, SoldOut
from marketplace.ordering.models import Shipment
from marketplace.ordering.variants import variant_label


def _sold_out(product, variant, quantity: int) -> None:
    """Refuse a reservation a variant cannot hold (409: the cart was filled while it had stock)."""
    if not variant.is_active:
        metrics.CHECKOUT_FAILURES.labels(reason="product_unavailable").inc()
        raise ProductUnavailable(f"{product.name} ({variant_label(variant)}) is no longer available.")
    if variant.stock_quantity < quantity:
        metrics.STOCK_RESERVATION_CONFLICTS.inc()
        metrics.CHECKOUT_FAILURES.labels(reason="out_of_stock").inc()
        left = variant.stock_quantity
        raise SoldOut(
            f"Not enough stock for {product.name} ({variant_label(variant)}): only {left} left."
            if left
            else f"{product.name} ({variant_label(variant)}) is sold out."
        )


def stock_reserve(quantities: dict, variant_quantities: dict | None = None) -> tuple[dict, dict]:
    """Take ``{product_id: quantity}`` (and ``{variant_id: quantity}`` of those products' variants,
    whose units the product quantities include) out of stock, all or nothing. Returns the locked
    products and variants (``{pk: row}`` each).

    Must run in the caller's transaction; a refusal raises before anything changed.
    """
    products = products_for_update(quantities)
    variants = variants_for_update(variant_quantities) if variant_quantities else {}
    for product_id in quantities:
        product = products.get(product_id)
        if product is None or not product.is_active or product.deleted_at is not None:
            metrics.CHECKOUT_FAILURES.labels(reason="product_unavailable").inc()
            name = product.name if product else "A product in your cart"
            raise ProductUnavailable(f"{name} is no longer available.")
    for variant_id, quantity in (variant_quantities or {}).items():
        variant = variants.get(variant_id)
        product = products.get(variant.product_id) if variant is not None else None
        if variant is None or product is None:
            metrics.CHECKOUT_FAILURES.labels(reason="product_unavailable").inc()
            raise ProductUnavailable("A variant in your cart is no longer available.")
        _sold_out(product, variant, quantity)
    for product_id, quantity in quantities.items():
        product = products[product_id]
        if product.stock_quantity < quantity:
            metrics.STOCK_RESERVATION_CONFLICTS.inc()
            metrics.CHECKOUT_FAILURES.labels(reason="out_of_stock").inc()
            raise SoldOut(f"Not enough stock for {product.name}: only {product.stock_quantity} left.")
    for product_id, quantity in quantities.items():
        products[product_id].stock_quantity -= quantity
    Product.objects.bulk_update(list(products.values()), ["stock_quantity"])
    if variants:
        for variant_id, quantity in (variant_quantities or {}).items():
            variants[variant_id].stock_quantity -= quantity
        ProductVariant.objects.bulk_update(list(variants.values()), ["stock_quantity"])
    _stock_changed()
    return products, variants


def _stock_changed() -> None:
    """Cached lists, searches, facets and category counts show stock: drop them after commit."""
    best_effort(category_tree_invalidate, what="cache_invalidate")


def _add_set_wise(model, quantities: dict) -> None:
    # One UPDATE per quantity, not per row: a sweep's batch gives back hundreds of products, a
    # unit or two each.
    by_quantity = sorted(quantities.items(), key=lambda entry: (entry[1], entry[0]))
    for quantity, entries in groupby(by_quantity, key=lambda entry: entry[1]):
        pks = [pk for pk, _ in entries]
        model.objects.filter(pk__in=pks).update(stock_quantity=F("stock_quantity") + quantity)


def stock_restore(quantities: dict, variant_quantities: dict | None = None) -> None:
    """Put ``{product_id: quantity}`` (and ``{variant_id: quantity}``, whose units the product
    quantities include) back into stock (cancelled orders, approved returns). A variant the seller
    has deactivated since gets its units back, but its product does not count them (its stock is
    the sum of its active variants')."""
    quantities = {pk: quantity for pk, quantity in quantities.items() if quantity > 0}
    variant_quantities = {pk: quantity for pk, quantity in (variant_quantities or {}).items() if quantity > 0}
    product_pks_for_update(quantities)  # the same lock order as a reservation
    if variant_quantities:
        variants = variants_for_update(variant_quantities, fields=("pk", "product_id", "is_active"))
        for variant in variants.values():
            if not variant.is_active and variant.product_id in quantities:
                quantities[variant.product_id] -= variant_quantities[variant.pk]
        quantities = {pk: quantity for pk, quantity in quantities.items() if quantity > 0}
        _add_set_wise(ProductVariant, variant_quantities)
    _add_set_wise(Product, quantities)
    if quantities or variant_quantities:
        _stock_changed()
    stock_alerts_schedule(quantities)  # back in stock: the "notify me" alerts of these products


def item_units(items) -> tuple[dict, dict]:
    """The units order items still hold (less those returned): ``({product_id: units},
    {variant_id: units})``, the product units including their variants'."""
    quantities: dict = {}
    variant_quantities: dict = {}
    for item in items:
        units = item.quantity - item.returned_quantity
        quantities[item.product_id] = quantities.get(item.product_id, 0) + units
        if item.variant_id is not None:
            variant_quantities[item.variant_id] = variant_quantities.get(item.variant_id, 0) + units
    return quantities, variant_quantities


def order_release_stock(order) -> bool:
    """Give a (locked) order's reserved units back, exactly once (units of shipments a seller
    already cancelled went back then). True when this call released them."""
    if order.stock_released:
        return False
    shipments = list(order.shipments.all())
    released = {shipment.pk for shipment in shipments if shipment.stock_released}
    stock_restore(*item_units(item for item in order.items.all() if item.shipment_id not in released))
    Shipment.objects.filter(order=order, stock_released=False).update(stock_released=True)
    order.stock_released = True
    order.save(update_fields=["stock_released", "updated_at"])
    return True


def shipment_release_stock(order, shipment, shipments) -> bool:
    """Give a cancelled shipment's units back, exactly once (its order and shipments locked)."""
    if shipment.stock_released or order.stock_released:
        return False
    stock_restore(*item_units(shipment.items.all()))
    shipment.stock_released = True
    shipment.save(update_fields=["stock_released", "updated_at"])
    if all(other.stock_released for other in shipments):
        order.stock_released = True
        order.save(update_fields=["stock_released", "updated_at"])
    return True
