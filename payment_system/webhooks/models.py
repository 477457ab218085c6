from django.db import models


class StripeWebhookEvent(models.Model):
    """A platform webhook event, stored once by Stripe's id: a redelivery finds it and does nothing."""

    class Outcome(models.TextChoices):
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    note = models.CharField(max_length=300, blank=True)
    payload = models.JSONField(default=dict)
    stripe_created_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id} ({self.outcome})"
