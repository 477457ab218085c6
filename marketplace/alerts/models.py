from django.conf import settings
from django.db import models

from marketplace.catalog.models import Product


class StockAlert(models.Model):
    """A buyer's "notify me" on an out-of-stock product; pending while ``notified_at`` is null.

    A restock notifies every pending alert once and closes it, so restocking again (or many stock
    changes) sends nothing more; subscribing again opens it anew (a new ``subscribed_at``).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stock_alerts")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock_alerts")
    subscribed_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["user", "product"], name="one_stock_alert_per_user")]
        indexes = [models.Index(fields=["product", "notified_at"], name="stock_alert_pending_idx")]

    def __str__(self):
        return f"{self.user_id} waits for {self.product_id}"


class SavedSearch(models.Model):
    """A buyer's saved catalogue search (text + filters of E22); new matches arrive as one digest
    notification per search and day (``saved_search_digests_task``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    query = models.CharField(max_length=200, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Products created up to this time were already considered for a digest.
    checked_until = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user_id}: {self.query!r}"
