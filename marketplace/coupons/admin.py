from django.contrib import admin

from marketplace.coupons.models import Coupon, CouponRedemption


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = ["code", "seller", "kind", "value", "uses_count", "max_uses", "is_active", "ends_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code"]
    raw_id_fields = ["seller", "products"]
    readonly_fields = ["uses_count", "created_at"]


@admin.register(CouponRedemption)
class CouponRedemptionAdmin(admin.ModelAdmin):
    list_display = ["coupon", "buyer", "order", "discount_amount", "created_at"]
    raw_id_fields = ["coupon", "buyer", "order"]
    readonly_fields = ["created_at"]
