"""Property-based money tests (hypothesis) through the payment code: random carts (sellers and
their countries, one currency per cart among EUR, USD and JPY, quantities, coupons, destination
countries) are priced by ``marketplace.ordering.pricing``, turned into Stripe's Checkout Session
parameters by the payment code (``stripe_line_items`` and the Stripe adapter's
``checkout_session_params``), shared between sellers, platform and Stripe (``seller_share``,
``stripe_fee_shares``), refunded by partial returns (``refund_amount_for``) and, with Stripe Tax,
given the tax Stripe reports (``reported_tax_split``). The service functions are called directly
(no HTTP, no database), so thousands of examples run in seconds; the examples per test come from
the hypothesis profile (``tests/fixtures/ci.py``: 700 each under CI, 2,100 in all).

Invariants: every amount at the Stripe boundary is a non-negative integer of minor units; items +
shipping + tax - discount = total = what Stripe is asked to charge; seller nets + platform fees +
Stripe fee = charged; a line's refunds never exceed what it paid (nor a shipment's its total);
rounding never creates or loses a minor unit (each allocation's remainder goes to one named share).
"""

from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from infrastructure.payments import CheckoutSessionRequest, to_minor
from infrastructure.payments.stripe import checkout_session_params
from marketplace.coupons.pricing import CouponDiscount
from marketplace.ordering.pricing import ZERO, QuoteLine, ShippingQuote, money, quote_lines, unit_of
from marketplace.ordering.services.returns import refund_amount_for
from marketplace.tax.providers import StripeTaxProvider, reported_tax_split
from marketplace.tax.rules import TaxRule, prices_include_tax
from payment_system.checkout.services import stripe_line_items
from payment_system.payments.services import seller_share, stripe_fee_shares

SELLERS = ("s1", "s2", "s3")
# A destination's rule as marketplace.tax.rules gives it: EU VAT, a settings rate, or the flat
# default rate (no rule for the country, or no country yet).
DESTINATIONS = {
    "DE": TaxRule(Decimal("0.1900"), "eu_vat", "DE"),
    "PT": TaxRule(Decimal("0.2300"), "eu_vat", "PT"),
    "HU": TaxRule(Decimal("0.2700"), "eu_vat", "HU"),
    "US": TaxRule(Decimal("0"), "settings", "US"),
    "CH": TaxRule(Decimal("0.081"), "settings", "CH"),
    "BR": TaxRule(Decimal("0"), "flat", "BR"),  # TAX_DEFAULT_RATE's default
    "": TaxRule(Decimal("0.05"), "flat", ""),  # a TAX_DEFAULT_RATE set
}


def amounts(currency, low=1, high=300_000):
    """Prices in ``currency``'s unit: cents, or whole yen."""
    unit = unit_of(currency)
    return st.integers(min_value=low, max_value=high).map(lambda n: Decimal(n) * unit)


@st.composite
def carts(draw):
    currency = draw(st.sampled_from(["EUR", "USD", "JPY"]))
    seller_countries = {seller: draw(st.sampled_from(["PT", "DE", "US", "GB"])) for seller in SELLERS}
    lines = [
        QuoteLine(
            SimpleNamespace(
                pk=index + 1,
                name=f"p{index}",
                price=draw(amounts(currency)),
                seller_id=draw(st.sampled_from(SELLERS)),
                weight=None,
                shipping_profile_id=None,
                currency=currency,
            ),
            draw(st.integers(min_value=1, max_value=20)),
        )
        for index in range(draw(st.integers(min_value=1, max_value=7)))
    ]
    coupon = None
    if draw(st.booleans()):
        kind = draw(st.sampled_from(["percent", "fixed"]))
        pks = [line.product.pk for line in lines]
        coupon = CouponDiscount(
            code="CODE",
            seller_id=draw(st.one_of(st.none(), st.sampled_from(SELLERS))),
            kind=kind,
            value=(
                Decimal(draw(st.integers(min_value=1, max_value=100)))
                if kind == "percent"
                else draw(amounts(currency))
            ),
            min_spend=draw(st.sampled_from([ZERO, Decimal("50"), Decimal("5000")])),
            product_ids=frozenset(draw(st.lists(st.sampled_from(pks), max_size=3))),
        )
    country = draw(st.sampled_from(sorted(DESTINATIONS)))
    shipping = {seller: draw(amounts(currency, low=0, high=5_000)) for seller in SELLERS}
    return currency, seller_countries, lines, coupon, country, shipping


def price(cart, *, rule=None):
    """The quote as checkout makes it (``marketplace.shipping.quotes.quote_for``'s inputs)."""
    currency, seller_countries, lines, coupon, country, shipping = cart
    rule = rule or DESTINATIONS[country]
    inclusive = frozenset()
    if rule.taxes_shipping:
        inclusive = frozenset(s for s, code in seller_countries.items() if prices_include_tax(code))
    return quote_lines(
        lines,
        country=country,
        shipping=lambda group, subtotal, to: ShippingQuote(shipping[group[0].product.seller_id]),
        tax_rule=rule,
        inclusive_sellers=inclusive,
        discount=coupon,
        currency=currency,
    )


def placed(quote, currency):
    """The order, shipments and items checkout stores for ``quote`` (``_create_shipments``' fields)."""
    shipments, items = [], []
    for number, group in enumerate(quote.groups, start=1):
        shipment = SimpleNamespace(
            pk=number,
            seller_id=group.seller_id,
            tax_rate=group.tax_rate,
            prices_include_tax=group.prices_include_tax,
            platform_discount_amount=group.platform_discount,
            **group.totals.stored(),
        )
        shipments.append(shipment)
        for line in sorted(group.lines, key=lambda line: line.product.pk):
            items.append(
                SimpleNamespace(
                    pk=line.product.pk,
                    shipment_id=shipment.pk,
                    seller_id=group.seller_id,
                    product_name=line.product.name,
                    variant_label="",
                    product_image="",
                    unit_price=line.product.price,
                    quantity=line.quantity,
                    total_price=line.amount,
                    tax_amount=(group.line_taxes or {}).get(line.product.pk, ZERO),
                    discount_amount=(group.line_discounts or {}).get(line.product.pk, ZERO),
                    returned_quantity=0,
                )
            )
    order = SimpleNamespace(currency=currency, **quote.totals.stored())
    return order, shipments, items


def stripe_charge(order, shipments, items, *, automatic_tax=False) -> int:
    """What the Checkout Session asks Stripe to charge, in minor units, checking every amount."""
    lines = stripe_line_items(
        items,
        shipments,
        {s.seller_id: f"shop {s.seller_id}" for s in shipments},
        shipping_cost=order.shipping_cost,
        automatic_tax=automatic_tax,
    )
    request = CheckoutSessionRequest(
        reference="order",
        currency=order.currency,
        line_items=lines,
        customer_email="buyer@example.com",
        return_url="https://shop.example/return",
        idempotency_key="key",
        automatic_tax=automatic_tax,
    )
    params = checkout_session_params(request)
    assert ("automatic_tax" in params) == automatic_tax
    charged = 0
    for line in params["line_items"]:
        unit_amount, quantity = line["price_data"]["unit_amount"], line["quantity"]
        assert type(unit_amount) is int and unit_amount >= 0
        assert type(quantity) is int and quantity >= 1
        assert line["price_data"]["currency"] == order.currency.lower()
        charged += unit_amount * quantity
    return charged


def whole(amount, currency) -> bool:
    return amount >= ZERO and amount == money(amount, unit_of(currency))


@given(cart=carts(), stripe_fee=st.integers(min_value=0, max_value=10_000), data=st.data())
def test_checkout_charges_the_order_total_and_the_shares_add_up(cart, stripe_fee, data):
    currency = cart[0]
    quote = price(cart)
    order, shipments, items = placed(quote, currency)

    for part in [*shipments, order]:
        for name in ("subtotal", "shipping_cost", "tax_amount", "discount_amount", "total_amount"):
            assert whole(getattr(part, name), currency), (name, getattr(part, name))
        assert ZERO <= part.tax_included_amount <= part.tax_amount
        assert part.total_amount == (
            part.subtotal
            + part.shipping_cost
            + (part.tax_amount - part.tax_included_amount)
            - part.discount_amount
        )
    for item in items:
        assert whole(item.tax_amount, currency) and whole(item.discount_amount, currency)
    assert stripe_charge(order, shipments, items) == to_minor(order.total_amount, currency)

    # the charge shared out: each seller's gross less the platform's fee, Stripe's fee split by gross
    charged = order.total_amount
    fee = min(Decimal(stripe_fee) * unit_of(currency), charged)
    rows = {s.pk: seller_share(s, currency=currency) for s in shipments}
    fee_shares = stripe_fee_shares(fee, {pk: gross for pk, (gross, _) in rows.items()}, currency=currency)
    nets = {pk: gross - platform - fee_shares[pk] for pk, (gross, platform) in rows.items()}
    assert sum(nets.values()) + sum(platform for _, platform in rows.values()) + fee == charged
    assert sum(fee_shares.values()) == fee
    for pk, (gross, platform) in rows.items():
        assert whole(gross, currency) and whole(fee_shares[pk], currency)
        assert platform == money(platform, unit_of(currency))  # may be < 0: a platform code


@given(cart=carts(), data=st.data())
def test_partial_refunds_never_exceed_what_a_line_paid(cart, data):
    currency = cart[0]
    order, shipments, items = placed(price(cart), currency)
    by_shipment = {s.pk: [item for item in items if item.shipment_id == s.pk] for s in shipments}
    refunded_per_line = {item.pk: ZERO for item in items}
    refunded_per_shipment = {s.pk: ZERO for s in shipments}

    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        shipment = data.draw(st.sampled_from(shipments))
        open_items = [item for item in by_shipment[shipment.pk] if item.returned_quantity < item.quantity]
        if not open_items:
            continue
        lines = []
        for item in data.draw(st.lists(st.sampled_from(open_items), min_size=1, unique_by=lambda i: i.pk)):
            units = data.draw(st.integers(min_value=1, max_value=item.quantity - item.returned_quantity))
            item.returned_quantity += units  # as return_request_approve does before pricing
            lines.append(SimpleNamespace(order_item=item, quantity=units))
        refund = refund_amount_for(shipment, lines, currency=currency)
        assert type(to_minor(refund, currency)) is int and refund >= ZERO  # what Stripe is sent
        refunded_per_shipment[shipment.pk] += refund
        for line in lines:  # the request's refund is the sum of its lines' refunds
            refunded_per_line[line.order_item.pk] += refund_amount_for(shipment, [line], currency=currency)
        assert sum((refund_amount_for(shipment, [line], currency=currency) for line in lines), ZERO) == refund

    for shipment in shipments:
        assert refunded_per_shipment[shipment.pk] <= shipment.total_amount
        for item in by_shipment[shipment.pk]:
            paid = item.total_price - item.discount_amount
            paid += ZERO if shipment.prices_include_tax else item.tax_amount
            assert refunded_per_line[item.pk] <= paid
            if item.returned_quantity == item.quantity:
                assert refunded_per_line[item.pk] == paid  # every unit back: all of it, no cent more
    assert sum(refunded_per_shipment.values()) <= order.total_amount


@given(
    cart=carts(),
    rates=st.lists(st.sampled_from(["0", "0.07", "0.19", "0.2", "0.27"]), min_size=3, max_size=3),
)
def test_stripe_tax_is_sent_without_tax_lines_and_kept_to_the_minor_unit(cart, rates):
    """``TAX_PROVIDER=stripe``: the session carries no tax of ours; the tax Stripe reports (at any
    rate per shipment, inside or on top of the prices) is split over the shipments exactly."""
    currency = cart[0]
    unit = unit_of(currency)
    quote = price(cart, rule=StripeTaxProvider().rule_for(cart[4]))
    order, shipments, items = placed(quote, currency)
    assert order.tax_amount == ZERO
    assert stripe_charge(order, shipments, items, automatic_tax=True) == to_minor(
        order.total_amount, currency
    )

    # Stripe's answer: each shipment taxed at its own rate (VAT extracted for EU sellers, added else)
    added = included = ZERO
    for shipment, rate in zip(shipments, (Decimal(r) for r in rates), strict=False):
        base = shipment.total_amount
        assert shipment.prices_include_tax == prices_include_tax(cart[1][shipment.seller_id])
        if shipment.prices_include_tax:
            included += money(base * rate / (1 + rate), unit)
        else:
            added += money(base * rate, unit)
    charged = order.total_amount + added
    parts = {s.pk: (s.total_amount, s.prices_include_tax) for s in shipments}

    split = reported_tax_split(parts, amount_tax=added + included, charged=charged, unit=unit)

    assert list(split) == list(parts)
    assert sum(tax for tax, _ in split.values()) == added + included
    assert sum(inside for _, inside in split.values()) == included
    totals = {pk: parts[pk][0] + tax - inside for pk, (tax, inside) in split.items()}
    assert sum(totals.values()) == charged
    for pk, (tax, inside) in split.items():
        assert whole(tax, currency) and whole(inside, currency)
        assert inside == (tax if parts[pk][1] else ZERO)


def test_ci_runs_at_least_2000_examples_of_these_properties():
    """The ``ci`` profile (``tests/fixtures/ci.py``) gives the three properties above 2,100 examples."""
    assert settings.get_profile("ci").max_examples * 3 >= 2000
