from django.contrib import admin

from marketplace.alerts.models import SavedSearch, StockAlert


@admin.register(StockAlert)
class StockAlertAdmin(admin.ModelAdmin):
    list_display = ("user", "product", "subscribed_at", "notified_at")
    raw_id_fields = ("user", "product")
    list_filter = ("notified_at",)


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ("user", "query", "created_at", "checked_until")
    raw_id_fields = ("user",)
    search_fields = ("query", "user__email")
