from django.contrib import admin

from designiaBackend.api.admin import ReadOnlyAdmin
from payment_system.rates.models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ReadOnlyAdmin):
    list_display = ("rate_date", "base_currency", "currency", "rate", "source", "fetched_at")
    list_filter = ("base_currency", "source", "currency")
    search_fields = ("currency",)
    date_hierarchy = "rate_date"
