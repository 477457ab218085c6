from decimal import Decimal

from django.conf import settings
from django.db import models

from designiaBackend.currencies import from_stripe_minor_units


class StripeConnectAccount(models.Model):
    """A seller's Stripe connected account and the last known state of its onboarding.

    The state is a snapshot kept in sync by ``account.updated`` Connect events and by each read
    of the account from Stripe; ``state_observed_at`` is when Stripe's state was that, so an
    older event delivered late never overwrites a newer snapshot.
    """

    class Status(models.TextChoices):
        ONBOARDING = "onboarding", "Onboarding not finished"
        PENDING_VERIFICATION = "pending_verification", "Details submitted, being verified"
        RESTRICTED = "restricted", "Restricted: information past due"
        ACTIVE = "active", "Active: payouts enabled"

    seller = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stripe_connect_account"
    )
    stripe_account_id = models.CharField(max_length=64, unique=True)
    business_name = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=2, blank=True)
    default_currency = models.CharField(max_length=3, blank=True)
    details_submitted = models.BooleanField(default=False)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    requirements_currently_due = models.JSONField(default=list, blank=True)
    requirements_past_due = models.JSONField(default=list, blank=True)
    disabled_reason = models.CharField(max_length=100, blank=True)
    state_observed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.stripe_account_id} ({self.seller_id})"

    @property
    def status(self) -> "StripeConnectAccount.Status":
        if not self.details_submitted:
            return self.Status.ONBOARDING
        if self.payouts_enabled and not self.requirements_past_due:
            return self.Status.ACTIVE
        if self.requirements_past_due or self.disabled_reason:
            return self.Status.RESTRICTED
        return self.Status.PENDING_VERIFICATION


class Payout(models.Model):
    """A payout from a seller's Stripe balance to their bank, recorded from ``payout.*`` events.

    ``orders`` is filled once transfers are reconciled with payouts (the orders whose funds the
    payout carried); the amount is kept in the currency's minor unit, exactly as Stripe gives it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        IN_TRANSIT = "in_transit", "In transit"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"

    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payouts")
    account = models.ForeignKey(StripeConnectAccount, on_delete=models.PROTECT, related_name="payouts")
    stripe_payout_id = models.CharField(max_length=64, unique=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=Status.choices, db_index=True)
    method = models.CharField(max_length=16, blank=True)
    arrival_date = models.DateField(null=True, blank=True)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.TextField(blank=True)
    stripe_created_at = models.DateTimeField(null=True, blank=True)
    # The ``created`` time of the event that set the current state (late events are ignored).
    last_event_at = models.DateTimeField()
    orders = models.ManyToManyField("marketplace.Order", blank=True, related_name="payouts")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["seller", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.stripe_payout_id} {self.amount} {self.currency} ({self.status})"

    @property
    def amount(self) -> Decimal:
        return from_stripe_minor_units(self.amount_minor, self.currency)


class ConnectWebhookEvent(models.Model):
    """Every Connect webhook event received, stored once by its Stripe id (redeliveries are no-ops)."""

    class Outcome(models.TextChoices):
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"

    stripe_event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    stripe_account_id = models.CharField(max_length=64, blank=True, db_index=True)
    livemode = models.BooleanField(default=False)
    payload = models.JSONField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    note = models.CharField(max_length=255, blank=True)
    stripe_created_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.stripe_event_id} {self.type}"
