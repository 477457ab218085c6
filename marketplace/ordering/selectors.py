"""Reads about carts and orders that other parts of the product depend on."""

from django.db.models import Prefetch, Subquery, Sum, prefetch_related_objects

from marketplace.ordering.models import Cart, CartItem, Order, OrderItem, ReturnRequest
from marketplace.ordering.state import AWAITING_SHIPMENT_GROUP

# Statuses in which a buyer has received (or is receiving) the goods: a verified purchase.
RECEIVED_STATUSES = (Order.Status.SHIPPED, Order.Status.DELIVERED)


def buyer_has_received_product(*, buyer, product) -> bool:
    """True when ``buyer`` has an order item for ``product`` in a shipped or delivered order."""
    return OrderItem.objects.filter(
        order__buyer=buyer, product=product, order__status__in=RECEIVED_STATUSES
    ).exists()


def cart_items_count(*, user) -> int:
    """Number of units in the user's cart (0 without a cart)."""
    return CartItem.objects.filter(cart__user=user).aggregate(total=Sum("quantity"))["total"] or 0


# --- carts ------------------------------------------------------------------------------------------


def cart_get_for_user(*, user) -> Cart:
    """The user's cart (created on first use) with its items and products (and their galleries) loaded."""
    cart, _ = Cart.objects.get_or_create(user=user)
    prefetch_related_objects([cart], Prefetch("items", queryset=CartItem.objects.select_related("product")))
    return cart


# --- orders -----------------------------------------------------------------------------------------


def _items(queryset=None):
    return (queryset if queryset is not None else OrderItem.objects.all()).select_related("product")


def order_list_for_buyer(*, buyer):
    """The buyer's orders, newest first, each with ``visible_items`` (all of its items)."""
    return (
        Order.objects.filter(buyer=buyer)
        .select_related("buyer")
        .prefetch_related(Prefetch("items", queryset=_items(), to_attr="visible_items"))
        .order_by("-created_at", "pk")
    )


def order_list_for_seller(*, seller, status=None):
    """Paid orders containing the seller's items, each with only the seller's items.

    ``status=awaiting_shipment`` also counts ``payment_confirmed`` orders (contract E45).
    """
    seller_orders = OrderItem.objects.filter(seller=seller).values("order_id")
    orders = Order.objects.filter(pk__in=Subquery(seller_orders))
    if status == Order.Status.AWAITING_SHIPMENT:
        orders = orders.filter(status__in=AWAITING_SHIPMENT_GROUP)
    elif status:
        orders = orders.filter(status=status)
    else:
        orders = orders.exclude(status=Order.Status.PENDING_PAYMENT)
    return (
        orders.select_related("buyer")
        .prefetch_related(
            Prefetch(
                "items", queryset=_items(OrderItem.objects.filter(seller=seller)), to_attr="visible_items"
            )
        )
        .order_by("-created_at", "pk")
    )


def order_get_for_viewer(*, order_id, user) -> Order | None:
    """The order as ``user`` may see it: everything for its buyer, their own items for a seller in it.

    ``None`` when the user is neither (the API answers 404). ``order.viewer_is_seller`` tells which.
    """
    order = Order.objects.select_related("buyer").filter(pk=order_id).first()
    if order is None:
        return None
    if order.buyer_id == user.pk:
        order.visible_items = list(_items(order.items.all()))
        order.viewer_is_seller = False
        return order
    own_items = list(_items(order.items.filter(seller=user)))
    if not own_items:
        return None
    order.visible_items = own_items
    order.viewer_is_seller = True
    return order


def return_request_list_for_order(*, order):
    return ReturnRequest.objects.filter(order=order).prefetch_related("items")
