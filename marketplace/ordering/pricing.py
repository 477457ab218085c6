"""Cart and order totals, computed in one place (``SHIPPING_FLAT_RATE``, ``FREE_SHIPPING_THRESHOLD``,
``TAX_RATE``), and the split of an order's totals between its sellers."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    shipping_cost: Decimal
    tax_amount: Decimal
    discount_amount: Decimal
    total_amount: Decimal

    def as_dict(self):
        return {
            "subtotal": self.subtotal,
            "shipping_cost": self.shipping_cost,
            "tax_amount": self.tax_amount,
            "discount_amount": self.discount_amount,
            "total_amount": self.total_amount,
        }


def totals_for_lines(lines) -> Totals:
    """Totals of ``(unit_price, quantity)`` pairs: shipping is free from the threshold on."""
    subtotal = money(sum((Decimal(price) * quantity for price, quantity in lines), ZERO))
    threshold = settings.FREE_SHIPPING_THRESHOLD
    free = subtotal == ZERO or (threshold > ZERO and subtotal >= threshold)
    shipping = ZERO if free else money(settings.SHIPPING_FLAT_RATE)
    tax = money(subtotal * settings.TAX_RATE)
    discount = ZERO
    return Totals(subtotal, shipping, tax, discount, money(subtotal + shipping + tax - discount))


def allocate(amount: Decimal, weights: dict) -> dict:
    """Split ``amount`` in proportion to ``weights`` to the cent; the shares add up exactly."""
    total_weight = sum(weights.values(), ZERO)
    keys = list(weights)
    if not keys:
        return {}
    if total_weight == ZERO:
        return {key: (amount if index == 0 else ZERO) for index, key in enumerate(keys)}
    shares, allotted = {}, ZERO
    for key in keys[:-1]:
        shares[key] = money(amount * weights[key] / total_weight)
        allotted += shares[key]
    shares[keys[-1]] = amount - allotted
    return shares


def seller_share(order, items) -> Totals:
    """A seller's share of ``order``'s totals: their items' subtotal and a pro-rata part of the rest."""
    subtotal = money(sum((item.total_price for item in items), ZERO))
    if order.subtotal == ZERO:
        return Totals(subtotal, ZERO, ZERO, ZERO, subtotal)
    ratio = subtotal / order.subtotal
    shipping = money(order.shipping_cost * ratio)
    tax = money(order.tax_amount * ratio)
    discount = money(order.discount_amount * ratio)
    return Totals(subtotal, shipping, tax, discount, money(subtotal + shipping + tax - discount))
