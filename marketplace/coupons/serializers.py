from rest_framework import serializers

from designiaBackend.api.fields import PublicIdField, money_serializer_field
from marketplace.coupons.models import Coupon


class ApplyCouponInputSerializer(serializers.Serializer):
    code = serializers.CharField(min_length=2, max_length=40)


class CouponCreateInputSerializer(serializers.Serializer):
    code = serializers.RegexField(r"^[A-Za-z0-9_-]{2,40}$")
    kind = serializers.ChoiceField(choices=Coupon.Kind.choices)
    value = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False, default="")
    min_spend = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, default=0
    )
    starts_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    max_uses = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    max_uses_per_buyer = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    product_ids = serializers.ListField(child=PublicIdField(), required=False, default=list, max_length=200)
    platform = serializers.BooleanField(required=False, default=False)

    def validate_code(self, value):
        code = value.upper()
        if Coupon.objects.filter(code__iexact=code).exists():
            raise serializers.ValidationError("This code is taken.")
        return code

    def validate_currency(self, value):
        return value.upper()

    def validate(self, data):
        value = data["value"]
        if value <= 0:
            raise serializers.ValidationError({"value": ["A discount is more than zero."]})
        if data["kind"] == Coupon.Kind.PERCENT and value > 100:
            raise serializers.ValidationError({"value": ["A percentage is at most 100."]})
        if data["kind"] == Coupon.Kind.FIXED and not data.get("currency"):
            raise serializers.ValidationError({"currency": ["A fixed amount needs its currency."]})
        if data["starts_at"] and data["ends_at"] and data["ends_at"] <= data["starts_at"]:
            raise serializers.ValidationError({"ends_at": ["The end is after the start."]})
        return data


class CouponSerializer(serializers.Serializer):
    id = serializers.CharField()
    code = serializers.CharField()
    kind = serializers.CharField()
    value = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField(allow_blank=True)
    min_spend = money_serializer_field()
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    max_uses = serializers.IntegerField(allow_null=True)
    max_uses_per_buyer = serializers.IntegerField(allow_null=True)
    uses_count = serializers.IntegerField()
    is_platform = serializers.BooleanField()
    product_ids = serializers.SerializerMethodField()
    # Seller analytics of the code: orders and the discount given (``coupon_list_for_user``).
    orders_count = serializers.IntegerField()
    discount_total = money_serializer_field()

    def get_product_ids(self, coupon) -> list[str]:
        return [str(pk) for pk in coupon.products.values_list("pk", flat=True)]
