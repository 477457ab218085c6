from rest_framework import serializers

from designiaBackend.api.fields import PublicIdField, money_serializer_field
from marketplace.analytics.selectors import PERIODS


class AnalyticsQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=PERIODS, default="month")


class TopProductSerializer(serializers.Serializer):
    id = PublicIdField()
    name = serializers.CharField()
    total_sold = serializers.IntegerField()
    views = serializers.IntegerField()
    revenue = money_serializer_field(max_digits=14)


class VariantSalesSerializer(serializers.Serializer):
    """One variant's sales in the period (its current SKU and option values)."""

    variant_id = PublicIdField()
    product_id = PublicIdField()
    product_name = serializers.CharField()
    sku = serializers.CharField()
    options = serializers.DictField(child=serializers.CharField())
    total_sold = serializers.IntegerField()
    revenue = money_serializer_field(max_digits=14)


class RecentOrderSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    buyer_username = serializers.CharField()
    items_count = serializers.IntegerField()
    status = serializers.CharField()
    total_amount = money_serializer_field(max_digits=14)
    created_at = serializers.DateTimeField()


class CouponUseSerializer(serializers.Serializer):
    code = serializers.CharField()
    orders = serializers.IntegerField()
    discount_total = money_serializer_field(max_digits=14)


class SellerAnalyticsSerializer(serializers.Serializer):
    period = serializers.CharField()
    total_revenue = money_serializer_field(max_digits=14)
    total_orders = serializers.IntegerField()
    total_products = serializers.IntegerField()
    active_products = serializers.IntegerField()
    total_items_sold = serializers.IntegerField()
    total_views = serializers.IntegerField()
    total_clicks = serializers.IntegerField()
    total_favorites = serializers.IntegerField()
    view_to_click_rate = serializers.FloatField()
    click_to_sale_rate = serializers.FloatField()
    pending_fulfillment_count = serializers.IntegerField()
    orders_by_status = serializers.DictField(child=serializers.IntegerField())
    top_products = TopProductSerializer(many=True)
    variant_sales = VariantSalesSerializer(many=True)
    recent_orders = RecentOrderSerializer(many=True)
    coupon_uses = CouponUseSerializer(many=True)
