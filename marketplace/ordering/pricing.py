"""Cart and order totals, computed in one place.

An order is priced per seller group (one group per seller, one shipment each): the group's items,
its shipping (``marketplace.shipping.quotes``: the seller's shipping profile for the
destination, or the settings' flat rule ``SHIPPING_FLAT_RATE``/``FREE_SHIPPING_THRESHOLD``), its
tax (``marketplace.tax.rules``: the destination's rate; EU sellers' prices include it) and
discount. The order's totals are the sum of its groups' totals, so the parts always add up:
``total = subtotal + shipping + (tax - tax_included) - discount`` for every group and the order.
Each allocation (tax over lines and shipping) gives its rounding remainder to its last share.
Amounts round to the order currency's minor unit (``unit_of``: the cent, or the whole unit of a
zero-decimal currency such as JPY), so every amount is a whole number of Stripe's minor units.
"""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, Protocol, TypeVar

from django.conf import settings

from designiaBackend.currencies import settlement_places

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def unit_of(currency: str) -> Decimal:
    """The smallest amount of ``currency`` that prices and Stripe amounts use ("": the cent): the
    whole unit where ISO 4217 or Stripe has no minor unit (JPY, KRW, MGA...)."""
    return Decimal(1).scaleb(-settlement_places(currency)) if currency else CENT


def money(value: Decimal | int | str, unit: Decimal = CENT) -> Decimal:
    return Decimal(value).quantize(unit, ROUND_HALF_UP)


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    shipping_cost: Decimal
    tax_amount: Decimal
    discount_amount: Decimal
    total_amount: Decimal
    # The part of ``tax_amount`` already inside the prices (0 for sellers pricing tax-exclusive).
    tax_included: Decimal = ZERO

    def stored(self) -> dict[str, Decimal]:
        """The fields an order and a shipment keep."""
        return {**self.as_dict(), "tax_included_amount": self.tax_included}

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
        total("tax_included"),
    )


class TaxRuleLike(Protocol):
    """What pricing reads of ``marketplace.tax.rules.TaxRule``."""

    @property
    def rate(self) -> Decimal: ...

    @property
    def taxes_shipping(self) -> bool: ...


def group_totals(
    subtotal: Decimal,
    shipping: Decimal,
    *,
    rule: TaxRuleLike | None = None,
    inclusive: bool = False,
    discount: Decimal = ZERO,
    unit: Decimal = CENT,
) -> Totals:
    """One seller group's totals from its items' subtotal, shipping cost and discount.

    Without a ``rule``: the flat ``TAX_DEFAULT_RATE`` on the items. A rule that taxes shipping (a
    destination's rate) taxes items less discount plus shipping; ``inclusive`` (an EU seller)
    means that tax is already inside those prices (extracted, not added).
    """
    rate: Decimal = settings.TAX_DEFAULT_RATE if rule is None else rule.rate
    taxes_shipping = rule is not None and rule.taxes_shipping
    base = subtotal - discount + (shipping if taxes_shipping else ZERO)
    if taxes_shipping and inclusive:
        tax = money(base * rate / (1 + rate), unit)
        return Totals(subtotal, shipping, tax, discount, money(subtotal + shipping - discount, unit), tax)
    tax = money(base * rate, unit)
    return Totals(subtotal, shipping, tax, discount, money(subtotal + shipping + tax - discount, unit))


def tax_split(
    group_lines: "tuple[QuoteLine, ...]",
    totals: Totals,
    *,
    taxes_shipping: bool,
    line_discounts: dict[Any, Decimal] | None = None,
    unit: Decimal = CENT,
) -> tuple[dict[Any, Decimal], Decimal]:
    """A group's tax per line (by ``QuoteLine.key``) and on its shipping, adding up to the group's tax
    exactly (remainders go to the last share: shipping, or the last line)."""
    items_base = totals.subtotal - totals.discount_amount
    weights: dict[Any, Decimal] = {"items": items_base}
    if taxes_shipping:
        weights["shipping"] = totals.shipping_cost
    parts = allocate(totals.tax_amount, weights, unit)
    off = line_discounts or {}
    line_weights = {line.key: line.amount - off.get(line.key, ZERO) for line in group_lines}
    return allocate(parts["items"], line_weights, unit), parts.get("shipping", ZERO)


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
    currency: str
    seller_id: Any
    weight: Decimal | None
    shipping_profile_id: int | None


def line_key(product_pk: Any, variant_pk: Any = None) -> Any:
    """A line's key in the per-line taxes and discounts: the product's pk, or ``(product pk,
    variant pk)`` (two variants of one product are two lines)."""
    return product_pk if variant_pk is None else (product_pk, variant_pk)


class PricedVariant(Protocol):
    """What pricing reads of a variant (``marketplace.catalog.models.ProductVariant``)."""

    pk: Any
    price: Decimal
    weight: Decimal | None


@dataclass(frozen=True)
class QuoteLine:
    """One cart line to price: the product (its seller, weight and shipping profile), units, and
    the variant bought (its price, and its weight when it has one) for a product with variants."""

    product: PricedProduct
    quantity: int
    variant: PricedVariant | None = None

    @property
    def key(self) -> Any:
        """``line_key`` of this line."""
        return line_key(self.product.pk, None if self.variant is None else self.variant.pk)

    @property
    def unit_price(self) -> Decimal:
        return self.product.price if self.variant is None else self.variant.price

    @property
    def weight(self) -> Decimal | None:
        """The weight of one unit: the variant's, else the product's."""
        if self.variant is not None and self.variant.weight is not None:
            return self.variant.weight
        return self.product.weight

    @property
    def amount(self) -> Decimal:
        return money(self.unit_price * self.quantity)


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
    tax_rate: Decimal = ZERO
    prices_include_tax: bool = False
    line_taxes: dict[Any, Decimal] | None = None
    shipping_tax: Decimal = ZERO
    line_discounts: dict[Any, Decimal] | None = None
    # The part of the group's discount the platform funds (a platform code).
    platform_discount: Decimal = ZERO


@dataclass(frozen=True)
class Quote:
    groups: tuple[GroupQuote, ...]
    totals: Totals
    # The coupon's code when it discounts this cart; "" when none applies (or no longer does).
    coupon_code: str = ""

    @property
    def unshippable(self) -> tuple[Any, ...]:
        return tuple(pk for group in self.groups for pk in group.shipping.unshippable)


class DiscountRule(Protocol):
    """What pricing reads of a coupon (``marketplace.coupons.pricing.CouponDiscount``)."""

    @property
    def code(self) -> str: ...

    @property
    def is_platform(self) -> bool: ...

    def covers(self, product: PricedProduct) -> bool: ...

    def amount_for(self, eligible: Decimal) -> Decimal:
        """The discount on ``eligible`` (the covered lines' sum); 0 below the minimum spend."""
        ...


def line_discounts(
    lines: Iterable[QuoteLine], discount: DiscountRule | None, unit: Decimal = CENT
) -> dict[Any, Decimal]:
    """The discount per covered line (by ``QuoteLine.key``), adding up to the coupon's discount
    exactly."""
    if discount is None:
        return {}
    covered = {line.key: line.amount for line in lines if discount.covers(line.product)}
    amount = min(discount.amount_for(money(sum(covered.values(), ZERO))), sum(covered.values(), ZERO))
    if amount <= ZERO:
        return {}
    return allocate(money(amount, unit), dict(sorted(covered.items(), key=lambda item: str(item[0]))), unit)


ShippingRule = Callable[[tuple[QuoteLine, ...], Decimal, str], ShippingQuote]


def quote_lines(
    lines: Iterable[QuoteLine],
    *,
    country: str,
    shipping: ShippingRule,
    tax_rule: TaxRuleLike | None = None,
    inclusive_sellers: frozenset[Any] = frozenset(),
    discount: DiscountRule | None = None,
    currency: str = "",
) -> Quote:
    """Price ``QuoteLine``s per seller group (sellers in a stable order) for ``country``;
    ``shipping(lines, subtotal, country)`` gives each group's ``ShippingQuote``
    (``marketplace.shipping.quotes.shipping_for_group``); ``tax_rule`` is the destination's
    (``marketplace.tax.rules.tax_rule_for``), ``inclusive_sellers`` those pricing tax-inclusive;
    amounts round to ``currency``'s minor unit (``unit_of``)."""
    unit = unit_of(currency)
    lines = list(lines)
    by_seller: dict[Any, list[QuoteLine]] = {}
    for line in lines:
        by_seller.setdefault(line.product.seller_id, []).append(line)
    discounts = line_discounts(lines, discount, unit)
    taxes_shipping = tax_rule is not None and tax_rule.taxes_shipping
    groups = []
    for seller_id in sorted(by_seller, key=str):
        group_lines = tuple(by_seller[seller_id])
        subtotal = money(sum((line.amount for line in group_lines), ZERO))
        quote = shipping(group_lines, subtotal, country)
        quote = replace(quote, cost=money(quote.cost, unit))
        inclusive = taxes_shipping and seller_id in inclusive_sellers
        group_discounts = {line.key: discounts[line.key] for line in group_lines if line.key in discounts}
        off = money(sum(group_discounts.values(), ZERO))
        totals = group_totals(
            subtotal, quote.cost, rule=tax_rule, inclusive=inclusive, discount=off, unit=unit
        )
        line_taxes, shipping_tax = tax_split(
            group_lines, totals, taxes_shipping=taxes_shipping, line_discounts=group_discounts, unit=unit
        )
        rate: Decimal = settings.TAX_DEFAULT_RATE if tax_rule is None else tax_rule.rate
        groups.append(
            GroupQuote(
                seller_id,
                group_lines,
                totals,
                quote,
                rate,
                inclusive,
                line_taxes,
                shipping_tax,
                group_discounts,
                off if discount is not None and discount.is_platform else ZERO,
            )
        )
    code = discount.code if discount is not None and discounts else ""
    return Quote(tuple(groups), sum_totals(group.totals for group in groups), code)


Key = TypeVar("Key", bound=Hashable)


def allocate(amount: Decimal, weights: dict[Key, Decimal], unit: Decimal = CENT) -> dict[Key, Decimal]:
    """Split ``amount`` in proportion to ``weights`` to the ``unit`` (the cent); the shares add up
    exactly."""
    total_weight = sum(weights.values(), ZERO)
    keys = list(weights)
    if not keys:
        return {}
    if total_weight == ZERO:
        return {key: (amount if index == 0 else ZERO) for index, key in enumerate(keys)}
    shares: dict[Key, Decimal] = {}
    allotted = ZERO
    for key in keys[:-1]:
        shares[key] = money(amount * weights[key] / total_weight, unit)
        allotted += shares[key]
    if allotted > amount:
        # Rounding every share up left less than nothing for the last one: round them down instead
        # (the last share, the named remainder, then takes the cents left and stays >= 0).
        allotted = ZERO
        for key in keys[:-1]:
            shares[key] = (amount * weights[key] / total_weight).quantize(unit, ROUND_DOWN)
            allotted += shares[key]
    shares[keys[-1]] = amount - allotted
    return shares
