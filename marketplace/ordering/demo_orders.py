"""Demo orders for ``manage.py seed_demo`` (``make run``): shipping profiles for the demo shops,
shipments for the demo orders, and one two-seller order half shipped (seen by demo-buyer1)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from marketplace.catalog.models import ProductVariant
from marketplace.ordering.models import Order, Shipment
from marketplace.ordering.pricing import QuoteLine
from marketplace.ordering.services.checkout import order_shipments_create
from marketplace.ordering.state import fulfillment_of
from marketplace.shipping.models import ShippingProfile, ShippingZone
from marketplace.shipping.quotes import quote_for

EU = ["AT", "BE", "DE", "DK", "ES", "FI", "FR", "IE", "IT", "LU", "NL", "PT", "SE"]
DEMO_ADDRESS = {
    "name": "Demo Buyer",
    "address_line1": "1 Demo Street",
    "address_line2": "",
    "city": "Lisbon",
    "state": "",
    "postal_code": "1000-001",
    "country": "PT",
}
HALF_SHIPPED_NOTE = "demo order: two makers, one parcel on its way"


def demo_shipping_profiles(sellers) -> None:
    """Each demo shop gets a default profile (Europe and the rest of the world), once; the first
    shop makes to order (ships in 20-30 days)."""
    for index, seller in enumerate(sellers):
        if ShippingProfile.objects.filter(seller=seller).exists():
            continue
        made_to_order = index == 0
        profile = ShippingProfile.objects.create(
            seller=seller,
            name="Made to order" if made_to_order else "Standard",
            is_default=True,
            processing_days_min=20 if made_to_order else 2,
            processing_days_max=30 if made_to_order else 5,
            free_shipping_threshold=Decimal("500.00"),
        )
        ShippingZone.objects.bulk_create(
            [
                ShippingZone(
                    profile=profile,
                    name="Europe",
                    countries=EU,
                    base_price=Decimal("15.00"),
                    price_per_kg=Decimal("1.50"),
                ),
                ShippingZone(
                    profile=profile,
                    name="Rest of the world",
                    rest_of_world=True,
                    base_price=Decimal("40.00"),
                    price_per_kg=Decimal("4.00"),
                ),
            ]
        )


def demo_order_create(*, buyer, products, status: str, note: str) -> Order:
    """A paid order of one unit of each product (of its first variant, for a product with
    variants), priced like a checkout to Portugal, with one shipment per seller in ``status``
    (``pending``, ``shipped`` or ``delivered``)."""
    lines = [QuoteLine(product, 1, _first_variant(product)) for product in products]
    quote = quote_for(lines, country="PT")
    order = Order.objects.create(
        buyer=buyer,
        payment_status=Order.PaymentStatus.PAID,
        shipping_country="PT",
        shipping_address=DEMO_ADDRESS | {"name": buyer.username},
        buyer_notes=note,
        paid_at=timezone.now() - timedelta(days=6),
        **quote.totals.stored(),
    )
    order_shipments_create(order, quote, images={})  # one shipment per seller, as at checkout
    demo_shipments_move(order, [status] * len(quote.groups))
    return order


def _first_variant(product) -> ProductVariant | None:
    if not product.has_variants:
        return None
    return ProductVariant.objects.filter(product=product, is_active=True).order_by("position", "pk").first()


def demo_shipments_move(order: Order, statuses: list[str]) -> None:
    """Set the order's shipments to ``statuses`` (in pk order) and derive the order from them."""
    now = timezone.now()
    shipments = list(order.shipments.order_by("pk"))
    for number, (shipment, status) in enumerate(zip(shipments, statuses, strict=True), start=1):
        shipment.status = status
        if status in (Shipment.Status.SHIPPED, Shipment.Status.DELIVERED):
            shipment.shipped_at = now - timedelta(days=4)
            shipment.shipping_carrier, shipment.carrier_code = "UPS", "ups"
            shipment.tracking_number = f"1ZDEMO{str(order.pk)[:6].upper()}{number}"
        if status == Shipment.Status.DELIVERED:
            shipment.delivered_at = now - timedelta(days=1)
        shipment.save()
    order.fulfillment_status = fulfillment_of(shipments)
    derived = {"delivered": Order.Status.DELIVERED, "shipped": Order.Status.SHIPPED}
    order.status = derived.get(order.fulfillment_status, Order.Status.AWAITING_SHIPMENT)
    order.delivered_at = now - timedelta(days=1) if order.status == Order.Status.DELIVERED else None
    first = next((s for s in shipments if s.tracking_number), None)
    if first is not None:
        order.tracking_number, order.shipping_carrier = first.tracking_number, first.shipping_carrier
        order.shipped_at = first.shipped_at
    order.save()


def demo_half_shipped_order(*, buyer, products) -> Order | None:
    """One two-seller order: the first maker's parcel shipped, the second still to ship (once)."""
    if Order.objects.filter(buyer=buyer, buyer_notes=HALF_SHIPPED_NOTE).exists():
        return None
    order = demo_order_create(
        buyer=buyer, products=products, status=Shipment.Status.PENDING, note=HALF_SHIPPED_NOTE
    )
    demo_shipments_move(order, [Shipment.Status.SHIPPED, Shipment.Status.PENDING])
    return order
