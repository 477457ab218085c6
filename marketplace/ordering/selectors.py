"""Reads about carts and orders that other parts of the product depend on."""

from django.conf import settings
from django.db.models import Prefetch, Subquery, Sum, prefetch_related_objects

from marketplace.coupons.models import Coupon
from marketplace.coupons.pricing import CouponDiscount
from marketplace.ordering.models import Cart, CartItem, Order, OrderItem, Shipment
from marketplace.ordering.pricing import Quote, QuoteLine
from marketplace.ordering.state import AWAITING_SHIPMENT_GROUP, PAID_OPEN
from marketplace.shipping.quotes import quote_for, shipping_countries_for

SS = Shipment.Status
# Shipment statuses in which a buyer has received (or is receiving) the goods: a verified purchase.
RECEIVED_STATUSES = (SS.SHIPPED, SS.DELIVERED, SS.RETURNED)
# ``seller_orders?status=`` in the order's vocabulary, matched against the seller's shipment.
SELLER_STATUS_FILTERS = {
    Order.Status.PAYMENT_CONFIRMED: {"status": SS.PENDING, "order__status__in": AWAITING_SHIPMENT_GROUP},
    Order.Status.AWAITING_SHIPMENT: {"status": SS.PENDING, "order__status__in": AWAITING_SHIPMENT_GROUP},
    Order.Status.SHIPPED: {"status": SS.SHIPPED},
    Order.Status.DELIVERED: {"status": SS.DELIVERED},
    Order.Status.CANCELLED: {"status": SS.CANCELLED},
    Order.Status.REFUNDED: {"status": SS.RETURNED},
}


def buyer_has_received_product(*, buyer, product) -> bool:
    """True when ``buyer`` has an order item for ``product`` in a shipped or delivered shipment."""
    return OrderItem.objects.filter(
        order__buyer=buyer, product=product, shipment__status__in=RECEIVED_STATUSES
    ).exists()


def cart_items_count(*, user) -> int:
    """Number of units in the user's cart (0 without a cart)."""
    return CartItem.objects.filter(cart__user=user).aggregate(total=Sum("quantity"))["total"] or 0


# --- carts ------------------------------------------------------------------------------------------


def cart_get_for_user(*, user) -> Cart:
    """The user's cart (created on first use) with its items, their products (and galleries) and
    variants loaded."""
    cart, _ = Cart.objects.get_or_create(user=user)
    items = CartItem.objects.select_related("product", "variant")
    prefetch_related_objects([cart], Prefetch("items", queryset=items))
    return cart


# --- orders -----------------------------------------------------------------------------------------


def _items(queryset=None):
    return (queryset if queryset is not None else OrderItem.objects.all()).select_related("product")


def order_list_for_buyer(*, buyer):
    """The buyer's orders, newest first, each with ``visible_items`` and ``visible_shipments``."""
    return (
        Order.objects.filter(buyer=buyer)
        .select_related("buyer")
        .prefetch_related(
            Prefetch("items", queryset=_items(), to_attr="visible_items"),
            Prefetch("shipments", queryset=Shipment.objects.all(), to_attr="visible_shipments"),
        )
        .order_by("-created_at", "pk")
    )


def order_list_for_seller(*, seller, status=None):
    """Orders containing the seller's items, each with only the seller's items and shipment.

    ``status`` filters by the seller's shipment (``awaiting_shipment`` also counts
    ``payment_confirmed`` orders, contract E45); without it, unpaid orders are left out.
    """
    if status == Order.Status.PENDING_PAYMENT:
        own = Shipment.objects.filter(seller=seller, order__status=status)
    elif status:
        own = Shipment.objects.filter(seller=seller, **SELLER_STATUS_FILTERS[status])
        if status in (Order.Status.SHIPPED, Order.Status.DELIVERED):
            own = own.filter(order__status__in=PAID_OPEN)
    else:
        own = Shipment.objects.filter(seller=seller).exclude(order__status=Order.Status.PENDING_PAYMENT)
    return (
        Order.objects.filter(pk__in=Subquery(own.values("order_id")))
        .select_related("buyer")
        .prefetch_related(
            Prefetch(
                "items", queryset=_items(OrderItem.objects.filter(seller=seller)), to_attr="visible_items"
            ),
            Prefetch(
                "shipments", queryset=Shipment.objects.filter(seller=seller), to_attr="visible_shipments"
            ),
        )
        .order_by("-created_at", "pk")
    )


def order_get_for_viewer(*, order_id, user) -> Order | None:
    """The order as ``user`` may see it: everything for its buyer, their own items and shipment for
    a seller in it.

    ``None`` when the user is neither (the API answers 404). ``order.viewer_is_seller`` tells which.
    """
    order = Order.objects.select_related("buyer").filter(pk=order_id).first()
    if order is None:
        return None
    if order.buyer_id == user.pk:
        order.visible_items = list(_items(order.items.all()))
        order.visible_shipments = list(order.shipments.all())
        order.viewer_is_seller = False
        return order
    own_items = list(_items(order.items.filter(seller=user)))
    if not own_items:
        return None
    order.visible_items = own_items
    order.visible_shipments = list(order.shipments.filter(seller=user))
    order.viewer_is_seller = True
    return order


def shipment_get_for_viewer(*, shipment_id, user) -> Shipment | None:
    """A shipment its buyer or its seller may see (``None`` for anyone else)."""
    shipment = Shipment.objects.select_related("order").filter(pk=shipment_id).first()
    if shipment is None or user.pk not in (shipment.seller_id, shipment.order.buyer_id):
        return None
    return shipment


def order_pk_batches_unpaid_before(*, cutoff, batch_size: int):
    """Ids of orders still waiting for payment created before ``cutoff``, oldest first, one list
    of at most ``batch_size`` at a time (keyset pagination: orders cancelled meanwhile drop out)."""
    overdue = Order.objects.filter(status=Order.Status.PENDING_PAYMENT, created_at__lt=cutoff)
    last = None
    while True:
        page = overdue.order_by("created_at", "pk")
        if last is not None:
            page = page.filter(created_at__gte=last[0]).exclude(created_at=last[0], pk__lte=last[1])
        batch = list(page.values_list("created_at", "pk")[:batch_size])
        if not batch:
            return
        yield [pk for _, pk in batch]
        last = batch[-1]


def buyer_destination_country(*, buyer, country: str = "") -> str:
    """Where the buyer ships to: the country they give, else their profile's, else their last paid
    order's address country, else ``DEFAULT_SHIPPING_COUNTRY`` (a first-time buyer the web client
    sends no country for). The cart and the checkout price the same country, and the payment page
    offers only that one (``order_shipping_countries``)."""
    if country:
        return country
    profile_country = getattr(getattr(buyer, "profile", None), "country", "")  # joined with the user
    if profile_country:
        return str(profile_country).upper()
    last = (
        Order.objects.filter(buyer=buyer, payment_status=Order.PaymentStatus.PAID)
        .order_by("-created_at")
        .values_list("shipping_address", flat=True)
        .first()
    )
    return str((last or {}).get("country") or settings.DEFAULT_SHIPPING_COUNTRY or "").upper()


def order_shipping_countries(*, order) -> tuple[str, ...]:
    """The countries the order's payment page may offer: the one it was priced for, else every
    country all its items ship to (the platform's ``CHECKOUT_SHIPPING_COUNTRIES`` standing for
    "the rest of the world")."""
    if order.shipping_country:
        return (order.shipping_country,)
    prefetch_related_objects([order], "items__product")  # nothing to read when checkout kept them
    lines = [QuoteLine(item.product, item.quantity) for item in order.items.all()]
    return shipping_countries_for(lines, tuple(settings.CHECKOUT_SHIPPING_COUNTRIES))


def cart_quote(*, cart, country: str) -> Quote:
    """The cart's totals per seller group for ``country`` (items and products already loaded), with
    its coupon's discount when one is applied (two more queries then)."""
    return quote_for(
        [QuoteLine(item.product, item.quantity, item.variant) for item in cart.items.all()],
        country=country,
        discount=coupon_discount_for_cart(cart),
    )


def coupon_discount_for_cart(cart) -> CouponDiscount | None:
    if cart.coupon_id is None:
        return None
    coupon = Coupon.objects.filter(pk=cart.coupon_id).first()
    return CouponDiscount.of(coupon) if coupon is not None else None
