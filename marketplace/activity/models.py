from django.db import models

from marketplace.catalog.models import Product


class ProductDailyActivity(models.Model):
    """Per product and day: how often it was viewed, clicked, favorited and added to a cart.

    Written in batches by ``activity_flush`` from the buffer (never one row write per event);
    read by seller analytics (``marketplace.activity.selectors``).
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="daily_activity")
    date = models.DateField()
    views = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    favorites = models.PositiveIntegerField(default=0)
    add_to_cart = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["product", "date"], name="one_activity_row_per_product_day")
        ]
        indexes = [models.Index(fields=["date"], name="activity_date")]

    def __str__(self):
        return f"Activity of {self.product_id} on {self.date}"
