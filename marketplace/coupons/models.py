from django.conf import settings
from django.db import models

from designiaBackend.money import ZERO, money_field


class Coupon(models.Model):
    """A discount code: a seller's for their own shop (``seller`` set) or a platform code (staff,
    ``seller`` empty, funded by the platform fee). It covers the lines of its seller (every line
    for a platform code), or only ``products`` when it names some."""

    class Kind(models.TextChoices):
        PERCENT = "percent", "Percent off"
        FIXED = "fixed", "Fixed amount off"

    code = models.CharField(max_length=40, unique=True)
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="coupons"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(
        max_length=3, blank=True, help_text="Of a fixed amount and the minimum spend."
    )
    min_spend = money_field(default=ZERO)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    max_uses_per_buyer = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    uses_count = models.PositiveIntegerField(default=0)
    products = models.ManyToManyField("marketplace.Product", blank=True, related_name="coupons")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(value__gt=0), name="coupon_value_positive"),
            models.CheckConstraint(
                condition=~models.Q(kind="percent") | models.Q(value__lte=100),
                name="coupon_percent_at_most_100",
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def is_platform(self) -> bool:
        return self.seller_id is None


class CouponRedemption(models.Model):
    """One use of a coupon: by a buyer, for an order (counted at checkout under the coupon's lock)."""

    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="redemptions")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coupon_uses")
    order = models.OneToOneField(
        "marketplace.Order", on_delete=models.CASCADE, related_name="coupon_redemption"
    )
    discount_amount = money_field()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.coupon.code} on {self.order_id}"
