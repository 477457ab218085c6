"""Money records of orders. Amounts are Decimal in the order's currency (major unit)."""

from django.conf import settings
from django.db import models

from designiaBackend.money import ZERO, money_field
from marketplace.ordering.models import Order, ReturnRequest


class Payment(models.Model):
    """The buyer's payment of one order through a provider (Stripe Checkout or the dummy gateway)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # session open, nothing paid yet
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"  # last attempt failed; the session may still be paid
        EXPIRED = "expired", "Expired"  # session expired unpaid
        PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
        REFUNDED = "refunded", "Refunded"

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="payment")
    provider = models.CharField(max_length=16)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.PENDING, db_index=True)
    amount = money_field(default=ZERO)
    currency = models.CharField(max_length=3)
    amount_refunded = money_field(default=ZERO)
    stripe_fee = money_field(default=ZERO)
    checkout_session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    session_attempt = models.PositiveIntegerField(default=0)  # part of the session's idempotency key
    payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    charge_id = models.CharField(max_length=255, blank=True)  # the source_transaction of transfers
    last_error = models.CharField(max_length=500, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Payment of order {self.order_id} ({self.status})"


class SellerTransaction(models.Model):
    """A seller's part of a paid order: gross, platform fee, Stripe fee and net, held after delivery.

    The payout feature releases ``held`` transactions once ``held_until`` has passed (transfers).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending delivery"  # paid, not delivered yet
        HELD = "held", "Held"  # delivered; waiting for ``held_until``
        RELEASED = "released", "Released"  # transferred to the seller
        REFUNDED = "refunded", "Refunded"  # the buyer got the money back
        CANCELLED = "cancelled", "Cancelled"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="seller_transactions")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="seller_transactions")
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seller_transactions"
    )
    # The seller's shipment: its delivery starts this transaction's hold.
    shipment = models.OneToOneField(
        "marketplace.Shipment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seller_transaction",
    )
    currency = models.CharField(max_length=3)
    gross_amount = money_field(default=ZERO)
    platform_fee = money_field(default=ZERO)
    stripe_fee = money_field(default=ZERO)
    net_amount = money_field(default=ZERO)
    refunded_amount = money_field(default=ZERO)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    held_until = models.DateTimeField(null=True, blank=True, db_index=True)
    released_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "seller"], name="one_transaction_per_seller")
        ]

    def __str__(self) -> str:
        return f"{self.seller_id}: {self.net_amount} {self.currency} ({self.status})"


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"  # recorded, not yet accepted by the provider
        REQUESTED = "requested", "Requested"  # the provider has it
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    return_request = models.ForeignKey(
        ReturnRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    # The shipment the refunded goods belong to (a seller's cancel, a return); none for a whole order.
    shipment = models.ForeignKey(
        "marketplace.Shipment", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    amount = money_field(default=ZERO)
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=32)
    # Set when the refund returns another charge than the order's payment: a second payment of an
    # already paid order. Such a refund changes neither the payment's totals nor the sellers' shares.
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    provider_refund_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Refund {self.amount} {self.currency} of order {self.order_id} ({self.status})"
