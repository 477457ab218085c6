from decimal import Decimal

from django.db.models import Count, Sum, Value
from django.db.models.functions import Coalesce

from marketplace.coupons.models import Coupon


def coupon_list_for_user(*, user):
    """The seller's codes (staff: also the platform's), with their use: orders and discount given."""
    queryset = Coupon.objects.filter(seller=user)
    if user.is_staff:
        queryset = Coupon.objects.filter(seller=user) | Coupon.objects.filter(seller__isnull=True)
    return queryset.annotate(
        orders_count=Count("redemptions"),
        discount_total=Coalesce(Sum("redemptions__discount_amount"), Value(Decimal("0.00"))),
    ).order_by("-created_at", "-id")
