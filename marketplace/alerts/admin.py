from django.contrib import admin

from marketplace.alerts.models import StockAlert


@admin.register(StockAlert)
class StockAlertAdmin(admin.ModelAdmin):
    list_display = ("user", "product", "subscribed_at", "notified_at")
    raw_id_fields = ("user", "product")
    list_filter = ("notified_at",)
