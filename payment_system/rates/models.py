from django.db import models


class ExchangeRate(models.Model):
    """``rate`` units of ``currency`` buy one unit of ``base_currency`` on ``rate_date``.

    Written only by the nightly update (one row per base, currency and day, history kept for
    ``EXCHANGE_RATE_HISTORY_DAYS``); requests only read them.
    """

    base_currency = models.CharField(max_length=3)
    currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=24, decimal_places=10)
    rate_date = models.DateField()
    source = models.CharField(max_length=16)
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["-rate_date", "base_currency", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["base_currency", "currency", "rate_date"], name="exchange_rate_unique_per_day"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
        ]
        indexes = [models.Index(fields=["-rate_date", "base_currency"])]

    def __str__(self) -> str:
        return f"1 {self.base_currency} = {self.rate} {self.currency} ({self.rate_date})"
