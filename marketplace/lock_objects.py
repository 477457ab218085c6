"""Row locks of the marketplace, in one place and always in the same order.

Rules that keep concurrent checkouts, cancels, timeouts and webhooks free of deadlocks:
an order row is locked before its shipment rows, and those before product rows, and products before
their variants; several rows of one table are locked in primary-key order; a product is locked
before its reviews. Every helper must run inside ``transaction.atomic``.
Only this module calls ``select_for_update`` in the marketplace (a test checks it).
"""

from typing import TYPE_CHECKING

from marketplace.alerts.models import SavedSearch, StockAlert
from marketplace.catalog.models import Product, ProductVariant
from marketplace.coupons.models import Coupon
from marketplace.ordering.models import Cart, Order, ReturnRequest, Shipment
from marketplace.reviews.models import Review
from marketplace.shipping.models import ShippingProfile

if TYPE_CHECKING:
    from collections.abc import Iterable
    from uuid import UUID


def products_for_update(product_ids):
    """Lock the products (in pk order) and return them as ``{pk: product}``."""
    products = Product.objects.select_for_update().filter(pk__in=set(product_ids)).order_by("pk")
    return {product.pk: product for product in products}


def product_pks_for_update(product_ids: "Iterable[int]") -> list[int]:
    """Lock the products (in pk order) without loading them: for set-wise updates."""
    products = Product.objects.select_for_update().filter(pk__in=set(product_ids)).order_by("pk")
    return list(products.values_list("pk", flat=True))


def variants_for_update(variant_ids, *, fields=None) -> dict:
    """Lock the variants (in pk order, after their products) and return them as ``{pk: variant}``;
    ``fields`` limits the columns read."""
    variants = ProductVariant.objects.select_for_update().filter(pk__in=set(variant_ids)).order_by("pk")
    if fields:
        variants = variants.only(*fields)
    return {variant.pk: variant for variant in variants}


def order_for_update(order_id: "UUID | str") -> Order:
    """Lock one order; ``Order.DoesNotExist`` when there is none."""
    return Order.objects.select_for_update().get(pk=order_id)


def cart_for_update(user):
    """The user's cart, created if needed, locked (serialises cart changes and checkout per user):
    one query when the cart exists."""
    cart = Cart.objects.select_for_update().filter(user=user).first()
    if cart is None:
        Cart.objects.get_or_create(user=user)
        cart = Cart.objects.select_for_update().get(user=user)
    return cart


def return_request_for_update(return_request_id):
    return ReturnRequest.objects.select_for_update().select_related("order").get(pk=return_request_id)


def shipments_for_update(order_id) -> list[Shipment]:
    """Lock the shipments of an (already locked) order, in pk order."""
    return list(Shipment.objects.select_for_update().filter(order_id=order_id).order_by("pk"))


def shipment_order_id(shipment_id) -> "UUID | None":
    """The order a shipment belongs to (read without a lock: lock the order first, then the shipment)."""
    return Shipment.objects.filter(pk=shipment_id).values_list("order_id", flat=True).first()


# --- catalogue, reviews, favorites, shipping profiles ---------------------------------------------


def product_for_update(product_id, *, fields=None, with_category=False):
    """Lock one product (``Product.DoesNotExist`` when there is none); ``fields`` limits the columns read."""
    products = Product.objects.select_for_update()
    if with_category:
        products = products.select_related("category")
    if fields:
        products = products.only(*fields)
    return products.get(pk=product_id)


def review_for_update(review_id, *, with_reviewer=False):
    """Lock one review (its product first when the caller needs both: ``product_for_update``)."""
    reviews = Review.objects.select_for_update()
    if with_reviewer:
        reviews = reviews.select_related("reviewer")
    return reviews.get(pk=review_id)


def shipping_profiles_for_update(seller_id) -> list[ShippingProfile]:
    """Lock a seller's shipping profiles, in pk order."""
    return list(ShippingProfile.objects.select_for_update().filter(seller_id=seller_id).order_by("pk"))


def unpaid_orders_for_update(order_ids) -> list[Order]:
    """Lock the orders among ``order_ids`` that are still unpaid and pending payment, in pk order
    (loaded with the fields the sweep reads: it updates them set-wise)."""
    return list(
        Order.objects.select_for_update()
        .filter(pk__in=list(order_ids), status=Order.Status.PENDING_PAYMENT)
        .exclude(payment_status=Order.PaymentStatus.PAID)
        .only("pk", "status", "payment_status", "stock_released")
        .order_by("pk")
    )


def shipments_of_orders_for_update(order_ids) -> list[Shipment]:
    """Lock the shipments of several orders (after their orders), in pk order."""
    shipments = Shipment.objects.select_for_update().filter(order_id__in=list(order_ids))
    return list(shipments.only("pk", "order_id", "status", "stock_released").order_by("pk"))


def coupon_for_update(coupon_id) -> Coupon | None:
    """Lock one coupon (after the order and products of the checkout or cancel that counts its use)."""
    return Coupon.objects.select_for_update().filter(pk=coupon_id).first()


def stock_alert_get_or_create_for_update(*, user_id, product_id, defaults) -> tuple[StockAlert, bool]:
    return StockAlert.objects.select_for_update().get_or_create(
        user_id=user_id, product_id=product_id, defaults=defaults
    )


def pending_stock_alerts_for_update(product_id, *, limit) -> list[StockAlert]:
    """Lock up to ``limit`` pending alerts of a product in pk order, skipping those another batch holds."""
    return list(
        StockAlert.objects.select_for_update(skip_locked=True)
        .filter(product_id=product_id, notified_at__isnull=True)
        .order_by("pk")[:limit]
    )


def saved_search_for_update(search_id) -> SavedSearch | None:
    return SavedSearch.objects.select_for_update().filter(pk=search_id).first()
