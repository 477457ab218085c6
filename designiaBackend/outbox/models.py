from django.db import models


class OutboxMessage(models.Model):
    """One task that must run once its transaction committed: relayed until the broker took it,
    done once it ran (``key`` makes a relay retry or a redelivery a no-op)."""

    key = models.CharField(max_length=191, unique=True)
    task = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    relayed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)  # deliveries that failed (their retries spent)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["done_at", "relayed_at"], name="outbox_pending_idx")]

    def __str__(self):
        return f"{self.task} [{self.key}]"
