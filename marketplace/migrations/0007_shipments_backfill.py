"""Every existing order gets one shipment per seller of its items, with the status, tracking and
timestamps its order had, and that seller's exact part of the order's totals."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations

ZERO, CENT = Decimal("0.00"), Decimal("0.01")
MONEY_FIELDS = ("shipping_cost", "tax_amount", "discount_amount")
SHIPMENT_STATUS = {
    "pending_payment": "pending",
    "payment_confirmed": "pending",
    "awaiting_shipment": "pending",
    "shipped": "shipped",
    "delivered": "delivered",
    "cancelled": "cancelled",
}
FULFILLMENT = {"shipped": "shipped", "delivered": "delivered", "returned": "delivered"}


def _split(amount, weights):
    """``amount`` in proportion to ``weights`` to the cent; the last share takes the remainder."""
    total = sum(weights, ZERO)
    if total == ZERO:
        return [amount] + [ZERO] * (len(weights) - 1)
    shares = [(amount * weight / total).quantize(CENT, ROUND_HALF_UP) for weight in weights[:-1]]
    return shares + [amount - sum(shares, ZERO)]


def _status(order):
    if order.status == "refunded":
        return "returned" if order.delivered_at else "cancelled"
    return SHIPMENT_STATUS[order.status]


def _backfill_order(order, items, Shipment):
    by_seller = {}
    for item in items:
        by_seller.setdefault(item.seller_id, []).append(item)
    sellers = sorted(by_seller, key=str)
    subtotals = [sum((item.total_price for item in by_seller[s]), ZERO) for s in sellers]
    parts = {name: _split(getattr(order, name), subtotals) for name in MONEY_FIELDS}
    status = _status(order)
    for index, seller_id in enumerate(sellers):
        amounts = {name: parts[name][index] for name in MONEY_FIELDS}
        total = (
            subtotals[index] + amounts["shipping_cost"] + amounts["tax_amount"] - amounts["discount_amount"]
        )
        shipment = Shipment.objects.create(
            order=order,
            seller_id=seller_id,
            status=status,
            subtotal=subtotals[index],
            total_amount=total,
            shipping_carrier=order.shipping_carrier if order.shipped_at else "",
            carrier_code=order.carrier_code if order.shipped_at else "",
            tracking_number=order.tracking_number if order.shipped_at else "",
            stock_released=order.stock_released,
            shipped_at=order.shipped_at,
            delivered_at=order.delivered_at,
            cancelled_at=order.cancelled_at if status == "cancelled" else None,
            cancellation_reason=order.cancellation_reason if status == "cancelled" else "",
            **amounts,
        )
        for item in by_seller[seller_id]:
            item.shipment = shipment
            item.save(update_fields=["shipment"])
    order.fulfillment_status = FULFILLMENT.get(status, "unfulfilled")
    order.save(update_fields=["fulfillment_status"])


def forwards(apps, schema_editor):
    Order = apps.get_model("marketplace", "Order")
    OrderItem = apps.get_model("marketplace", "OrderItem")
    Shipment = apps.get_model("marketplace", "Shipment")
    ReturnRequest = apps.get_model("marketplace", "ReturnRequest")
    for order in Order.objects.filter(shipments__isnull=True).order_by("pk").iterator(chunk_size=500):
        _backfill_order(order, list(OrderItem.objects.filter(order=order).order_by("pk")), Shipment)
    for request in ReturnRequest.objects.filter(shipment__isnull=True).iterator(chunk_size=500):
        line = request.items.select_related("order_item").first()
        if line is not None:
            request.shipment_id = line.order_item.shipment_id
            request.save(update_fields=["shipment"])


def backwards(apps, schema_editor):
    apps.get_model("marketplace", "OrderItem").objects.update(shipment=None)
    apps.get_model("marketplace", "ReturnRequest").objects.update(shipment=None)
    apps.get_model("marketplace", "Shipment").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0006_shipments")]

    operations = [migrations.RunPython(forwards, backwards)]
