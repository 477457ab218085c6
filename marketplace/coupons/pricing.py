"""A coupon as the pricing module reads it (``marketplace.ordering.pricing.DiscountRule``)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from marketplace.coupons.models import Coupon

CENT = Decimal("0.01")


@dataclass(frozen=True)
class CouponDiscount:
    code: str
    seller_id: Any
    kind: str
    value: Decimal
    min_spend: Decimal
    product_ids: frozenset[Any]

    @classmethod
    def of(cls, coupon: Coupon) -> "CouponDiscount":
        return cls(
            code=coupon.code,
            seller_id=coupon.seller_id,
            kind=coupon.kind,
            value=coupon.value,
            min_spend=coupon.min_spend,
            product_ids=frozenset(coupon.products.values_list("pk", flat=True)),
        )

    @property
    def is_platform(self) -> bool:
        return self.seller_id is None

    def covers(self, product) -> bool:
        if self.seller_id is not None and product.seller_id != self.seller_id:
            return False
        return not self.product_ids or product.pk in self.product_ids

    def amount_for(self, eligible: Decimal) -> Decimal:
        if eligible <= 0 or eligible < self.min_spend:
            return Decimal("0.00")
        if self.kind == Coupon.Kind.PERCENT:
            return (eligible * self.value / Decimal(100)).quantize(CENT, ROUND_HALF_UP)
        return min(self.value, eligible)
