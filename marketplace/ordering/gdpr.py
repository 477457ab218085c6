"""The ordering part of a user's GDPR export and erasure (registered in ``MarketplaceConfig.ready``)."""

from django.db import transaction

from marketplace.ordering.models import CartItem, Order
from marketplace.ordering.selectors import order_list_for_buyer
from marketplace.ordering.variants import variant_label

# Orders still on their way keep the address the seller ships to.
IN_PROGRESS = (Order.Status.PENDING_PAYMENT, Order.Status.PAYMENT_CONFIRMED, Order.Status.AWAITING_SHIPMENT)


def export_orders(user) -> list:
    return [
        {
            "id": str(order.pk),
            "created_at": order.created_at.isoformat(),
            "status": order.status,
            "payment_status": order.payment_status,
            "currency": order.currency,
            "total_amount": str(order.total_amount),
            "shipping_address": order.shipping_address,
            "buyer_notes": order.buyer_notes,
            "tracking_number": order.tracking_number,
            "items": [
                {
                    "product_name": item.product_name,
                    "sku": item.sku,
                    "variant_label": item.variant_label,
                    "quantity": item.quantity,
                    "unit_price": str(item.unit_price),
                    "returned_quantity": item.returned_quantity,
                }
                for item in order.visible_items
            ],
        }
        for order in order_list_for_buyer(buyer=user)
    ]


def export_cart(user) -> list:
    return [
        {
            "product_id": line.product_id,
            "product_name": line.product.name,
            "variant": variant_label(line.variant),
            "quantity": line.quantity,
        }
        for line in CartItem.objects.filter(cart__user=user).select_related("product", "variant")
    ]


@transaction.atomic
def erase_ordering_data(user) -> None:
    """Empty the cart; drop addresses and notes of finished orders (amounts stay for accounting)."""
    CartItem.objects.filter(cart__user=user).delete()
    Order.objects.filter(buyer=user).exclude(status__in=IN_PROGRESS).update(
        shipping_address={}, buyer_notes=""
    )
