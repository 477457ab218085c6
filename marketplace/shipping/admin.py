"""Admin for sellers' shipping profiles and their zones (staff correct a seller's rule here)."""

from django.contrib import admin

from marketplace.shipping.models import ShippingProfile, ShippingZone


class ShippingZoneInline(admin.TabularInline):
    model = ShippingZone
    extra = 0
    fields = ("name", "countries", "rest_of_world", "base_price", "price_per_kg")


@admin.register(ShippingProfile)
class ShippingProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "seller", "is_default", "processing_days_min", "processing_days_max")
    list_filter = ("is_default",)
    search_fields = ("name", "seller__username", "seller__email")
    raw_id_fields = ("seller",)
    inlines = [ShippingZoneInline]


@admin.register(ShippingZone)
class ShippingZoneAdmin(admin.ModelAdmin):
    list_display = ("__str__", "profile", "rest_of_world", "base_price", "price_per_kg")
    list_filter = ("rest_of_world",)
    search_fields = ("name", "profile__name", "profile__seller__username")
    raw_id_fields = ("profile",)
