from django.contrib import admin

from marketplace.tax.models import VatRate


@admin.register(VatRate)
class VatRateAdmin(admin.ModelAdmin):
    list_display = ["country", "rate", "updated_at"]
    search_fields = ["country"]
    ordering = ["country"]
