import json

from django.contrib import admin
from django.utils.html import format_html

from designiaBackend.api.admin import ReadOnlyAdmin
from payment_system.connect.models import ConnectWebhookEvent, Payout, StripeConnectAccount


@admin.register(StripeConnectAccount)
class StripeConnectAccountAdmin(ReadOnlyAdmin):
    list_display = (
        "stripe_account_id",
        "seller",
        "business_name",
        "details_submitted",
        "charges_enabled",
        "payouts_enabled",
        "state_observed_at",
    )
    list_filter = ("payouts_enabled", "details_submitted", "charges_enabled")
    search_fields = ("stripe_account_id", "seller__email", "business_name")
    list_select_related = ("seller",)


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = (
        "stripe_payout_id",
        "seller",
        "amount",
        "currency",
        "status",
        "arrival_date",
        "created_at",
    )
    list_filter = ("status", "currency")
    search_fields = ("stripe_payout_id", "seller__email", "account__stripe_account_id")
    list_select_related = ("seller",)
    date_hierarchy = "created_at"


@admin.register(ConnectWebhookEvent)
class ConnectWebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("stripe_event_id", "type", "stripe_account_id", "outcome", "note", "received_at")
    list_filter = ("type", "outcome", "livemode")
    search_fields = ("stripe_event_id", "stripe_account_id")
    exclude = ("payload",)
    readonly_fields = ("formatted_payload",)
    date_hierarchy = "received_at"

    @admin.display(description="payload")
    def formatted_payload(self, obj: ConnectWebhookEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, indent=2, sort_keys=True))
