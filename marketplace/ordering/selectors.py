"""Reads about carts and orders that other parts of the product depend on."""

from django.db.models import Sum

from marketplace.ordering.models import CartItem, Order, OrderItem

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
