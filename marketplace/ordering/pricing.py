"""Cart and order totals, computed in one place.

An order is priced per seller group (one group per seller, one shipment each): the group's items,
its shipping (``marketplace.shipping.quotes``: the seller's shipping profile for the
destination, or the settings' flat rule ``SHIPPING_FLAT_RATE``/``FREE_SHIPPING_THRESHOLD``), its
tax (``TAX_RATE``) and discount. The order's totals are the sum of its groups' totals, so the
parts always add up. Tax and discount rules extend ``group_totals``.
"""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol, TypeVar

from django.conf import settings

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    shipping_cost: Decimal
    tax_amount: Decimal
    discount_amount: Decimal
    total_amount: Decimal

    def as_dict(self) -> dict[str, Decimal]:
        return {
            "subtotal": self.subtotal,
            "shipping_cost": self.shipping_cost,
            "tax_amount": self.tax_amount,
            "discount_amount": self.discount_amount,
            "total_amount": self.total_amount,
        }


def sum_totals(parts: Iterable[Totals]) -> Totals:
    """The field-by-field sum of ``parts`` (an order's totals are the sum of its sellers' parts)."""
    parts = list(parts)

    def total(name: str) -> Decimal:
        return money(sum((getattr(part, name) for part in parts), ZERO))

    return Totals(
        total("subtotal"),
        total("shipping_cost"),
        total("tax_amount"),
        total("discount_amount"),
        total("total_amount"),
    )


def group_totals(subtotal: Decimal, shipping: Decimal) -> Totals:
    """One seller group's totals from its items' subtotal and its shipping cost."""
    tax = money(subtotal * settings.TAX_RATE)
    discount = ZERO
    return Totals(subtotal, shipping, tax, discount, money(subtotal + shipping + tax - discount))


def flat_rate_shipping(subtotal: Decimal) -> Decimal:
    """The default rule (settings): a flat fee per seller group, free from the threshold on."""
    threshold: Decimal = settings.FREE_SHIPPING_THRESHOLD
    free = subtotal == ZERO or (threshold > ZERO and subtotal >= threshold)
    return ZERO if free else money(settings.SHIPPING_FLAT_RATE)


class PricedProduct(Protocol):
    """What pricing reads of a product (``marketplace.catalog.models.Product``)."""

    pk: Any
    name: str
    price: Decimal
    seller_id: Any
    weight: Decimal | None
    shipping_profile_id: int | None


@dataclass(frozen=True)
class QuoteLine:
    """One cart line to price: the product (its seller, weight and shipping profile) and units."""

    product: PricedProduct
    quantity: int

    @property
    def amount(self) -> Decimal:
        return money(self.product.price * self.quantity)


@dataclass(frozen=True)
class ShippingQuote:
    cost: Decimal
    processing_days: tuple[int, int] | None = None
    # Products of the group that cannot ship to the destination (checkout refuses them).
    unshippable: tuple[Any, ...] = ()


@dataclass(frozen=True)
class GroupQuote:
    """One seller's part of a cart or order: their lines and totals (one shipment at checkout)."""

    seller_id: Any
    lines: tuple[QuoteLine, ...]
    totals: Totals
    shipping: ShippingQuote


@dataclass(frozen=True)
class Quote:
    groups: tuple[GroupQuote, ...]
    totals: Totals

    @property
    def unshippable(self) -> tuple[Any, ...]:
        return tuple(pk for group in self.groups for pk in group.shipping.unshippable)


ShippingRule = Callable[[tuple[QuoteLine, ...], Decimal, str], ShippingQuote]


def quote_lines(lines: Iterable[QuoteLine], *, country: str, shipping: ShippingRule) -> Quote:
    """Price ``QuoteLine``s per seller group (sellers in a stable order) for ``country``;
    ``shipping(lines, subtotal, country)`` gives each group's ``ShippingQuote``
    (``marketplace.shipping.quotes.shipping_for_group``)."""
    by_seller: dict[Any, list[QuoteLine]] = {}
    for line in lines:
        by_seller.setdefault(line.product.seller_id, []).append(line)
    groups = []
    for seller_id in sorted(by_seller, key=str):
        group_lines = tuple(by_seller[seller_id])
        subtotal = money(sum((line.amount for line in group_lines), ZERO))
        quote = shipping(group_lines, subtotal, country)
        groups.append(GroupQuote(seller_id, group_lines, group_totals(subtotal, quote.cost), quote))
    return Quote(tuple(groups), sum_totals(group.totals for group in groups))


Key = TypeVar("Key", bound=Hashable)


def allocate(amount: Decimal, weights: dict[Key, Decimal]) -> dict[Key, Decimal]:
    """Split ``amount`` in proportion to ``weights`` to the cent; the shares add up exactly."""
    total_weight = sum(weights.values(), ZERO)
    keys = list(weights)
    if not keys:
        return {}
    if total_weight == ZERO:
        return {key: (amount if index == 0 else ZERO) for index, key in enumerate(keys)}
    shares: dict[Key, Decimal] = {}
    allotted = ZERO
    for key in keys[:-1]:
        shares[key] = money(amount * weights[key] / total_weight)
        allotted += shares[key]
    shares[keys[-1]] = amount - allotted
    return shares
