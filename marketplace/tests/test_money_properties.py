"""Property-based money tests (hypothesis) over random carts: sellers, quantities, prices, coupons
(seller or platform, percent or fixed, minimum spend, product lists), destination tax rules and
VAT-inclusive sellers. Pure pricing: no database, so thousands of examples run in seconds.

Invariants: every amount is non-negative and in whole minor units; for each seller group and the
order, items + shipping + added tax - discount = total = what the Stripe line items charge; line
discounts and line/shipping taxes add up to their group's exactly (each remainder goes to one
named share); seller shares + platform fee = what was charged; allocations never create or lose a
cent.
"""

from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.coupons.pricing import CouponDiscount
from marketplace.ordering.pricing import (
    ZERO,
    QuoteLine,
    ShippingQuote,
    allocate,
    quote_lines,
)
from marketplace.ordering.services.returns import line_refund
from payment_system.payments.services import seller_share, stripe_fee_shares

CENT = Decimal("0.01")
EXAMPLES = settings(
    max_examples=550, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@dataclass(frozen=True)
class Product:
    pk: int
    name: str
    price: Decimal
    seller_id: str
    weight: Decimal | None = None
    shipping_profile_id: int | None = None
    currency: str = "EUR"


@dataclass(frozen=True)
class Rule:
    rate: Decimal
    taxes_shipping: bool


cents = st.integers(min_value=1, max_value=500_000).map(lambda n: Decimal(n) * CENT)
sellers = st.sampled_from(["s1", "s2", "s3"])


@st.composite
def carts(draw):
    count = draw(st.integers(min_value=1, max_value=8))
    lines = [
        QuoteLine(
            Product(pk=index + 1, name=f"p{index}", price=draw(cents), seller_id=draw(sellers)),
            draw(st.integers(min_value=1, max_value=20)),
        )
        for index in range(count)
    ]
    return lines


@st.composite
def coupons(draw, lines):
    if draw(st.booleans()):
        return None
    kind = draw(st.sampled_from(["percent", "fixed"]))
    value = Decimal(draw(st.integers(min_value=1, max_value=100))) if kind == "percent" else draw(cents)
    pks = [line.product.pk for line in lines]
    product_ids = (
        frozenset(draw(st.lists(st.sampled_from(pks), max_size=3))) if draw(st.booleans()) else frozenset()
    )
    return CouponDiscount(
        code="CODE",
        seller_id=draw(st.one_of(st.none(), sellers)),
        kind=kind,
        value=value,
        min_spend=draw(st.sampled_from([ZERO, Decimal("50.00"), Decimal("1000.00")])),
        product_ids=product_ids,
    )


rules = st.one_of(
    st.none(),
    st.builds(
        Rule,
        rate=st.sampled_from(
            [Decimal(r) for r in ("0", "0.0800", "0.1700", "0.1900", "0.2300", "0.2550", "0.2700")]
        ),
        taxes_shipping=st.booleans(),
    ),
)


def flat_shipping(cost):
    return lambda lines, subtotal, country: ShippingQuote(cost)


def in_minor_units(amount: Decimal) -> bool:
    return amount == amount.quantize(CENT) and amount >= ZERO


def stripe_charge(quote) -> Decimal:
    """What ``checkout_line_items`` sends: discounted lines as one line of their net, the others per
    unit, the shipping and the added tax."""
    charged = ZERO
    for group in quote.groups:
        discounts = group.line_discounts or {}
        for line in group.lines:
            off = discounts.get(line.product.pk, ZERO)
            unit_amounts = [(line.amount - off, 1)] if off else [(line.product.price, line.quantity)]
            for unit, quantity in unit_amounts:
                assert in_minor_units(unit)
                charged += unit * quantity
    charged += quote.totals.shipping_cost
    charged += quote.totals.tax_amount - quote.totals.tax_included
    return charged


@EXAMPLES
@given(data=st.data(), shipping=st.sampled_from([ZERO, Decimal("4.99"), Decimal("25.00")]))
def test_quotes_add_up_and_match_the_stripe_charge(data, shipping):
    lines = data.draw(carts())
    discount = data.draw(coupons(lines))
    rule = data.draw(rules)
    inclusive = frozenset(data.draw(st.lists(sellers, max_size=3)))

    quote = quote_lines(
        lines,
        country="DE",
        shipping=flat_shipping(shipping),
        tax_rule=rule,
        inclusive_sellers=inclusive,
        discount=discount,
    )

    for part in [*(group.totals for group in quote.groups), quote.totals]:
        for amount in (
            part.subtotal,
            part.shipping_cost,
            part.tax_amount,
            part.discount_amount,
            part.total_amount,
        ):
            assert in_minor_units(amount)
        assert ZERO <= part.tax_included <= part.tax_amount
        assert part.discount_amount <= part.subtotal
        assert part.total_amount == (
            part.subtotal + part.shipping_cost + (part.tax_amount - part.tax_included) - part.discount_amount
        )
    for name in (
        "subtotal",
        "shipping_cost",
        "tax_amount",
        "discount_amount",
        "total_amount",
        "tax_included",
    ):
        assert getattr(quote.totals, name) == sum((getattr(g.totals, name) for g in quote.groups), ZERO)
    assert stripe_charge(quote) == quote.totals.total_amount

    for group in quote.groups:
        line_discounts = group.line_discounts or {}
        assert sum(line_discounts.values(), ZERO) == group.totals.discount_amount
        for line in group.lines:
            assert ZERO <= line_discounts.get(line.product.pk, ZERO) <= line.amount
        line_taxes = group.line_taxes or {}
        assert sum(line_taxes.values(), ZERO) + group.shipping_tax == group.totals.tax_amount
        assert all(tax >= ZERO for tax in line_taxes.values()) and group.shipping_tax >= ZERO
        # a seller's code discounts only that seller's lines
        if discount is not None and discount.seller_id is not None and discount.seller_id != group.seller_id:
            assert group.totals.discount_amount == ZERO
        assert group.platform_discount in (ZERO, group.totals.discount_amount)


@EXAMPLES
@given(
    data=st.data(),
    percent=st.sampled_from([Decimal("0"), Decimal("5"), Decimal("10"), Decimal("12.5")]),
    stripe_fee_cents=st.integers(min_value=0, max_value=5000),
)
def test_seller_shares_platform_fee_and_stripe_fee_add_up_to_the_charge(data, percent, stripe_fee_cents):
    """``seller_transactions_create``'s and ``payment_record_stripe_fee``'s arithmetic on a quote."""
    lines = data.draw(carts())
    quote = quote_lines(
        lines, country="PT", shipping=flat_shipping(Decimal("10.00")), discount=data.draw(coupons(lines))
    )
    charged = quote.totals.total_amount
    stripe_fee = min(Decimal(stripe_fee_cents) * CENT, charged)

    rows: dict[Any, Any] = {}
    with override_settings(STRIPE_APPLICATION_FEE_PERCENT=percent):
        for group in quote.groups:
            shipment = SimpleNamespace(
                total_amount=group.totals.total_amount, platform_discount_amount=group.platform_discount
            )
            gross, fee = seller_share(shipment, currency="EUR")
            rows[group.seller_id] = SimpleNamespace(gross=gross, fee=fee)
    shares = stripe_fee_shares(
        stripe_fee, {seller: row.gross for seller, row in rows.items()}, currency="EUR"
    )
    nets = {seller: row.gross - row.fee - shares[seller] for seller, row in rows.items()}

    assert sum(nets.values(), ZERO) + sum((row.fee for row in rows.values()), ZERO) + stripe_fee == charged
    assert sum(shares.values(), ZERO) == stripe_fee
    for seller, row in rows.items():
        assert in_minor_units(row.gross) and in_minor_units(shares[seller])


@EXAMPLES
@given(
    amount=cents,
    weights=st.dictionaries(st.text(min_size=1, max_size=3), cents, min_size=1, max_size=12),
)
def test_allocation_never_creates_or_loses_a_cent(amount, weights):
    shares = allocate(amount, weights)
    assert list(shares) == list(weights)
    assert sum(shares.values(), ZERO) == amount
    assert all(in_minor_units(share) for share in shares.values())
    # every share is within a cent of its exact proportional share but the last (the named
    # remainder), which is never negative
    keys = list(weights)
    total = sum(weights.values(), ZERO)
    for key in keys[:-1]:
        assert abs(shares[key] - amount * weights[key] / total) < CENT
    assert shares[keys[-1]] >= ZERO


@EXAMPLES
@given(
    paid=st.integers(min_value=0, max_value=1_000_000).map(lambda n: Decimal(n) * CENT),
    data=st.data(),
)
def test_partial_refunds_never_exceed_what_the_line_paid(paid, data):
    quantity = data.draw(st.integers(min_value=1, max_value=50))
    returns = data.draw(st.lists(st.integers(min_value=1, max_value=quantity), max_size=10))
    returned, refunded = 0, ZERO
    for units in returns:
        units = min(units, quantity - returned)
        if units == 0:
            break
        refund = line_refund(paid, quantity, returned, returned + units)
        assert in_minor_units(refund)
        returned += units
        refunded += refund
        assert refunded <= paid
    if returned == quantity:
        assert refunded == paid
