"""Stock reservation and release. Products are locked (pk order) before any change."""

from itertools import groupby

from django.db.models import F

from designiaBackend.observability import metrics
from marketplace.alerts.services import stock_alerts_schedule
from marketplace.catalog.models import Product
from marketplace.lock_objects import product_pks_for_update, products_for_update
from marketplace.ordering.exceptions import OutOfStock, ProductUnavailable
from marketplace.ordering.models import Shipment


def stock_reserve(quantities: dict) -> dict:
    """Take ``{product_id: quantity}`` out of stock, all or nothing. Returns the locked products.

    Must run in the caller's transaction; a refusal raises before anything changed.
    """
    products = products_for_update(quantities)
    for product_id, quantity in quantities.items():
        product = products.get(product_id)
        if product is None or not product.is_active or product.deleted_at is not None:
            metrics.CHECKOUT_FAILURES.labels(reason="product_unavailable").inc()
            name = product.name if product else "A product in your cart"
            raise ProductUnavailable(f"{name} is no longer available.")
        if product.stock_quantity < quantity:
            metrics.STOCK_RESERVATION_CONFLICTS.inc()
            metrics.CHECKOUT_FAILURES.labels(reason="out_of_stock").inc()
            raise OutOfStock(f"Not enough stock for {product.name}: only {product.stock_quantity} left.")
    for product_id, quantity in quantities.items():
        products[product_id].stock_quantity -= quantity
    Product.objects.bulk_update(list(products.values()), ["stock_quantity"])
    return products


def stock_restore(quantities: dict) -> None:
    """Put ``{product_id: quantity}`` back into stock (cancelled orders, approved returns)."""
    quantities = {pk: quantity for pk, quantity in quantities.items() if quantity > 0}
    product_pks_for_update(quantities)  # the same lock order as a reservation
    # One UPDATE per quantity, not per product: a sweep's batch gives back hundreds of products, a
    # unit or two each.
    by_quantity = sorted(quantities.items(), key=lambda entry: (entry[1], entry[0]))
    for quantity, entries in groupby(by_quantity, key=lambda entry: entry[1]):
        pks = [pk for pk, _ in entries]
        Product.objects.filter(pk__in=pks).update(stock_quantity=F("stock_quantity") + quantity)
    stock_alerts_schedule(quantities)  # back in stock: the "notify me" alerts of these products


def _units(items) -> dict:
    quantities: dict = {}
    for item in items:
        quantities[item.product_id] = (
            quantities.get(item.product_id, 0) + item.quantity - item.returned_quantity
        )
    return quantities


def order_release_stock(order) -> bool:
    """Give a (locked) order's reserved units back, exactly once (units of shipments a seller
    already cancelled went back then). True when this call released them."""
    if order.stock_released:
        return False
    shipments = list(order.shipments.all())
    released = {shipment.pk for shipment in shipments if shipment.stock_released}
    stock_restore(_units(item for item in order.items.all() if item.shipment_id not in released))
    Shipment.objects.filter(order=order, stock_released=False).update(stock_released=True)
    order.stock_released = True
    order.save(update_fields=["stock_released", "updated_at"])
    return True


def shipment_release_stock(order, shipment, shipments) -> bool:
    """Give a cancelled shipment's units back, exactly once (its order and shipments locked)."""
    if shipment.stock_released or order.stock_released:
        return False
    stock_restore(_units(shipment.items.all()))
    shipment.stock_released = True
    shipment.save(update_fields=["stock_released", "updated_at"])
    if all(other.stock_released for other in shipments):
        order.stock_released = True
        order.save(update_fields=["stock_released", "updated_at"])
    return True
