"""Money moved to sellers: transfers to their connected accounts, reversals, reconciliation reports."""

from django.conf import settings
from django.db import models

from designiaBackend.money import ZERO, money_field


class Transfer(models.Model):
    """The Stripe transfer of one seller transaction (at most one per transaction).

    ``attempt`` is part of the idempotency key: retries of a retryable failure reuse the key (Stripe
    answers with the transfer it may already have made); an admin retry after a terminal failure
    starts a new attempt. ``payout`` is the seller's payout that carried these funds to the bank.
    """

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", "Transferred"
        FAILED = "failed", "Failed"
        PARTIALLY_REVERSED = "partially_reversed", "Partially reversed"
        REVERSED = "reversed", "Reversed"

    seller_transaction = models.OneToOneField(
        "payment_system.SellerTransaction", on_delete=models.PROTECT, related_name="transfer"
    )
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transfers")
    order = models.ForeignKey("marketplace.Order", on_delete=models.PROTECT, related_name="transfers")
    destination = models.CharField(max_length=64)
    amount = money_field(default=ZERO)
    currency = models.CharField(max_length=3)
    amount_reversed = money_field(default=ZERO)
    # The seller's refunded amount when the transfer was made: later refunds are reversed.
    refunded_before = money_field(default=ZERO)
    status = models.CharField(max_length=24, choices=Status.choices, db_index=True)
    stripe_transfer_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    source_transaction = models.CharField(max_length=255, blank=True)
    attempt = models.PositiveIntegerField(default=1)
    failure_retryable = models.BooleanField(default=False)
    last_error = models.CharField(max_length=500, blank=True)
    transferred_at = models.DateTimeField(null=True, blank=True, db_index=True)
    payout = models.ForeignKey(
        "payment_system.Payout", on_delete=models.SET_NULL, null=True, blank=True, related_name="transfers"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["seller", "status"], name="transfer_seller_status")]

    def __str__(self) -> str:
        return f"{self.stripe_transfer_id or 'transfer'} {self.amount} {self.currency} ({self.status})"

    @property
    def idempotency_key(self) -> str:
        return f"transfer-{self.seller_transaction_id}-{self.attempt}"


class TransferReversal(models.Model):
    """Part of a transfer taken back from the seller because the buyer got a refund after release."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="reversals")
    refund = models.ForeignKey(
        "payment_system.Refund",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfer_reversals",
    )
    amount = money_field(default=ZERO)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    stripe_reversal_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["transfer", "refund"], name="one_reversal_per_refund_and_transfer"
            )
        ]

    def __str__(self) -> str:
        return f"Reversal {self.amount} of {self.transfer_id} ({self.status})"


class ReconciliationReport(models.Model):
    """One comparison of local payments, transfers and reversals with Stripe's balance transactions."""

    class Status(models.TextChoices):
        OK = "ok", "Matches"
        MISMATCH = "mismatch", "Differences found"
        FAILED = "failed", "Could not reach Stripe"

    date = models.DateField(db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    checked_local = models.PositiveIntegerField(default=0)
    checked_stripe = models.PositiveIntegerField(default=0)
    differences = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Reconciliation {self.date} ({self.status}, {len(self.differences)} differences)"
