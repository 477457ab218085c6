"""An order's items, snapshotted from a priced quote: one builder for checkout and the demo orders."""

from marketplace.ordering.models import OrderItem, Shipment
from marketplace.ordering.pricing import ZERO, GroupQuote


def order_items_create(*, shipment: Shipment, group: GroupQuote, images: dict | None = None) -> None:
    """One item of ``shipment`` per line of its seller ``group`` (in product order): name, unit price,
    quantity, line total and the line's share of tax and discount as quoted; the product's primary
    image when ``images`` (product pk → image) has one."""
    images = images or {}
    line_taxes = group.line_taxes or {}
    line_discounts = group.line_discounts or {}
    OrderItem.objects.bulk_create(
        OrderItem(
            order=shipment.order,
            shipment=shipment,
            product=line.product,
            seller_id=group.seller_id,
            product_name=line.product.name,
            product_image=images[line.product.pk].image.name if line.product.pk in images else "",
            unit_price=line.product.price,
            quantity=line.quantity,
            total_price=line.amount,
            tax_amount=line_taxes.get(line.product.pk, ZERO),
            discount_amount=line_discounts.get(line.product.pk, ZERO),
        )
        for line in sorted(group.lines, key=lambda line: line.product.pk)
    )
