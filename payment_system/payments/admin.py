"""Read-only admin of payment records (they change only through services and webhooks)."""

from typing import ClassVar

from django.contrib import admin

from designiaBackend.api.admin import ReadOnlyAdmin
from payment_system.payments.models import Payment, Refund, SellerTransaction
from payment_system.webhooks.models import StripeWebhookEvent


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("order", "provider", "status", "amount", "amount_refunded", "currency", "created_at")
    list_filter = ("status", "provider")
    search_fields = ("order__id", "checkout_session_id", "payment_intent_id")


@admin.register(SellerTransaction)
class SellerTransactionAdmin(ReadOnlyAdmin):
    list_display = (
        "order",
        "seller",
        "gross_amount",
        "platform_fee",
        "stripe_fee",
        "net_amount",
        "status",
        "held_until",
    )
    list_filter: ClassVar[tuple[str, ...]] = ("status",)
    search_fields = ("order__id", "seller__email")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("order", "amount", "currency", "reason", "status", "provider_refund_id", "created_at")
    list_filter = ("status", "reason")
    search_fields = ("order__id", "provider_refund_id", "payment_intent_id")


@admin.register(StripeWebhookEvent)
class StripeWebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "type", "outcome", "note", "received_at")
    list_filter = ("type", "outcome")
    search_fields = ("event_id",)
