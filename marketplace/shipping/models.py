from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

ZERO = Decimal("0.00")


class ShippingProfile(models.Model):
    """A seller's shipping rule for some of their products (one is their default)."""

    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shipping_profiles"
    )
    name = models.CharField(max_length=100)
    is_default = models.BooleanField(default=False)
    # "Ships in 20-30 days": the time to make or prepare an item before it leaves.
    processing_days_min = models.PositiveSmallIntegerField(default=1)
    processing_days_max = models.PositiveSmallIntegerField(default=3)
    # The seller's part of an order ships free from this amount on (none: never free).
    free_shipping_threshold = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(ZERO)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "name"], name="one_profile_name_per_seller"),
            models.CheckConstraint(
                condition=models.Q(processing_days_min__lte=models.F("processing_days_max")),
                name="processing_days_range",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.seller_id})"


class ShippingZone(models.Model):
    """Destinations of a profile: a list of countries, or every country no other zone names."""

    profile = models.ForeignKey(ShippingProfile, on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(max_length=100, blank=True)
    countries = models.JSONField(default=list, blank=True)  # ISO 3166-1 alpha-2 codes
    rest_of_world = models.BooleanField(default=False)
    base_price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(ZERO)])
    price_per_kg = models.DecimalField(
        max_digits=10, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.name or 'zone'} of profile {self.profile_id}"

    def covers(self, country: str) -> bool:
        return country in self.countries
