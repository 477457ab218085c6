from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class VatRate(models.Model):
    """A country's standard VAT rate (every EU member state, seeded by a data migration).

    Staff edit it in the admin when a rate changes. Countries outside this table take their rate
    from ``TAX_RATES`` (settings), else the flat ``TAX_DEFAULT_RATE``.
    """

    country = models.CharField(max_length=2, primary_key=True, help_text="ISO 3166-1 alpha-2")
    rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="A fraction: 0.1900 is 19 %.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["country"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rate__gte=0, rate__lte=1), name="vat_rate_fraction")
        ]

    def __str__(self) -> str:
        return f"{self.country}: {self.rate * 100:.2f} %"
