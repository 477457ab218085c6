"""Seller analytics for a period, computed with a fixed number of aggregate queries."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from marketplace.activity.models import ProductDailyActivity
from marketplace.catalog.models import Product
from marketplace.coupons.models import CouponRedemption
from marketplace.ordering.models import Order, OrderItem
from marketplace.ordering.state import AWAITING_SHIPMENT_GROUP

PERIODS = ("today", "week", "month", "year", "all")
PERIOD_DAYS = {"week": 7, "month": 30, "year": 365}
# Orders whose money the seller keeps (so far): counted as sales.
SOLD_STATUSES = (
    Order.Status.PAYMENT_CONFIRMED,
    Order.Status.AWAITING_SHIPMENT,
    Order.Status.SHIPPED,
    Order.Status.DELIVERED,
)
ZERO = Decimal("0.00")
KEPT_UNITS = F("quantity") - F("returned_quantity")
KEPT_REVENUE = ExpressionWrapper(
    KEPT_UNITS * F("unit_price"), output_field=DecimalField(max_digits=14, decimal_places=2)
)


def period_start(period, now=None):
    now = now or timezone.now()
    if period == "all":
        return None
    if period == "today":
        return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return now - timedelta(days=PERIOD_DAYS[period])


def _attention(seller, since) -> dict:
    """Views, clicks and favorites per product: all-time counters, or daily activity since ``since``."""
    if since is None:
        rows = Product.objects.filter(seller=seller).values(
            "pk", "view_count", "click_count", "favorite_count"
        )
        return {r["pk"]: (r["view_count"], r["click_count"], r["favorite_count"]) for r in rows}
    daily = (
        ProductDailyActivity.objects.filter(product__seller=seller, date__gte=since.date())
        .values("product_id")
        .annotate(views=Sum("views"), clicks=Sum("clicks"), favorites=Sum("favorites"))
    )
    return {r["product_id"]: (r["views"], r["clicks"], r["favorites"]) for r in daily}


def _rate(part, whole) -> float:
    return round(part * 100 / whole, 2) if whole else 0.0


def seller_analytics(*, seller, period: str = "month") -> dict:
    since = period_start(period)
    items = OrderItem.objects.filter(seller=seller)
    if since is not None:
        items = items.filter(order__created_at__gte=since)
    sold = items.filter(order__status__in=SOLD_STATUSES)
    totals = sold.aggregate(
        revenue=Coalesce(Sum(KEPT_REVENUE), ZERO, output_field=DecimalField()),
        units=Coalesce(Sum(KEPT_UNITS), 0),
        orders=Count("order_id", distinct=True),
    )
    by_status = {
        row["order__status"]: row["orders"]
        for row in items.values("order__status").annotate(orders=Count("order_id", distinct=True))
    }
    products = Product.objects.filter(seller=seller, deleted_at__isnull=True).aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(is_active=True))
    )
    attention = _attention(seller, since)
    views = sum(v for v, _, _ in attention.values())
    clicks = sum(c for _, c, _ in attention.values())
    pending = (
        Order.objects.filter(status__in=AWAITING_SHIPMENT_GROUP, items__seller=seller)
        .values("pk")
        .distinct()
        .count()
    )
    return {
        "period": period,
        "total_revenue": totals["revenue"],
        "total_orders": totals["orders"],
        "total_products": products["total"],
        "active_products": products["active"],
        "total_items_sold": totals["units"],
        "total_views": views,
        "total_clicks": clicks,
        "total_favorites": sum(f for _, _, f in attention.values()),
        "view_to_click_rate": _rate(clicks, views),
        "click_to_sale_rate": _rate(totals["units"], clicks),
        "pending_fulfillment_count": pending,
        "orders_by_status": {str(status): by_status.get(status, 0) for status in Order.Status.values},
        "top_products": _top_products(sold, attention),
        "variant_sales": _variant_sales(sold),
        "recent_orders": _recent_orders(seller, since),
        "coupon_uses": _coupon_uses(seller, since),
    }


def _coupon_uses(seller, since) -> list:
    """The seller's codes used in the period: orders and the discount given (one query)."""
    redemptions = CouponRedemption.objects.filter(coupon__seller=seller)
    if since is not None:
        redemptions = redemptions.filter(created_at__gte=since)
    rows = (
        redemptions.values("coupon__code")
        .annotate(orders=Count("pk"), discount_total=Sum("discount_amount"))
        .order_by("-orders", "coupon__code")
    )
    return [
        {"code": row["coupon__code"], "orders": row["orders"], "discount_total": row["discount_total"]}
        for row in rows
    ]


def _top_products(sold, attention, limit=5) -> list:
    rows = (
        sold.values("product_id", "product__name")
        .annotate(total_sold=Sum(KEPT_UNITS), revenue=Sum(KEPT_REVENUE))
        .order_by("-total_sold", "-revenue", "product_id")[:limit]
    )
    return [
        {
            "id": row["product_id"],
            "name": row["product__name"],
            "total_sold": row["total_sold"],
            "views": attention.get(row["product_id"], (0, 0, 0))[0],
            "revenue": row["revenue"],
        }
        for row in rows
    ]


def _variant_sales(sold, limit=50) -> list:
    """Units and revenue per variant sold (products with variants only; one query), best first."""
    rows = (
        sold.filter(variant_id__isnull=False)
        .values("variant_id", "product_id", "product__name", "variant__sku", "variant__options")
        .annotate(total_sold=Sum(KEPT_UNITS), revenue=Sum(KEPT_REVENUE))
        .order_by("-total_sold", "-revenue", "variant_id")[:limit]
    )
    return [
        {
            "variant_id": row["variant_id"],
            "product_id": row["product_id"],
            "product_name": row["product__name"],
            "sku": row["variant__sku"],
            "options": row["variant__options"] or {},
            "total_sold": row["total_sold"],
            "revenue": row["revenue"],
        }
        for row in rows
    ]


def _recent_orders(seller, since, limit=5) -> list:
    orders = Order.objects.filter(items__seller=seller)
    if since is not None:
        orders = orders.filter(created_at__gte=since)
    rows = (
        orders.exclude(status=Order.Status.PENDING_PAYMENT)
        .values("pk", "buyer__username", "status", "created_at")
        .annotate(items_count=Sum("items__quantity"), seller_total=Sum("items__total_price"))
        .order_by("-created_at", "pk")[:limit]
    )
    return [
        {
            "id": row["pk"],
            "buyer_username": row["buyer__username"],
            "items_count": row["items_count"],
            "status": row["status"],
            "total_amount": row["seller_total"],
            "created_at": row["created_at"],
        }
        for row in rows
    ]
