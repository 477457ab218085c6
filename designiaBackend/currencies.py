"""Currencies' minor units (ISO 4217 exponents) and exact rounding to them (shared: prices are
validated against them in the catalogue, amounts converted with them in the payment system)."""

from decimal import ROUND_HALF_EVEN, Decimal

# Currencies whose minor unit is not the cent. Every other currency has two decimals.
ZERO_DECIMAL = frozenset(
    {
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    }
)
THREE_DECIMAL = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
# Where Stripe's API amounts differ from ISO 4217 (https://docs.stripe.com/currencies).
STRIPE_EXPONENT_OVERRIDES = {"ISK": 2, "MGA": 0}


# Amounts that are charged, transferred or stored have at most two decimals: the money columns'
# (``designiaBackend.money``), and Stripe takes three-decimal currencies in tens of their minor unit.
SETTLEMENT_MAX_DECIMALS = 2


def minor_unit_exponent(currency: str) -> int:
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def stripe_exponent(currency: str) -> int:
    """The exponent of Stripe's integer amounts in ``currency`` (ISO 4217 but for Stripe's exceptions)."""
    code = currency.upper()
    return STRIPE_EXPONENT_OVERRIDES.get(code, minor_unit_exponent(code))


def settlement_places(currency: str) -> int:
    """The decimals an amount that is charged, transferred or stored may have: none where ISO 4217 or
    Stripe has no minor unit (JPY; ISK, which Stripe writes with two decimals but takes whole), else
    Stripe's exponent, at most two."""
    if minor_unit_exponent(currency) == 0 or stripe_exponent(currency) == 0:
        return 0
    return min(stripe_exponent(currency), SETTLEMENT_MAX_DECIMALS)


def quantize_money(
    amount: Decimal, currency: str, rounding: str = ROUND_HALF_EVEN, *, settlement: bool = False
) -> Decimal:
    """``amount`` rounded to the currency's minor unit, by ``rounding`` (banker's rounding by default).

    The one rounding of money to a currency. ``settlement=True``: to the decimals an amount that is
    charged, transferred or stored may have instead (Stripe's exponent, at most two).
    """
    places = settlement_places(currency) if settlement else minor_unit_exponent(currency)
    return Decimal(amount).quantize(Decimal(1).scaleb(-places), rounding=rounding)


def to_minor_units(amount: Decimal, currency: str) -> int:
    return int(quantize_money(amount, currency).scaleb(minor_unit_exponent(currency)))


def from_minor_units(value: int, currency: str) -> Decimal:
    return quantize_money(Decimal(int(value)).scaleb(-minor_unit_exponent(currency)), currency)


def to_stripe_minor_units(amount: Decimal, currency: str) -> int:
    """``Decimal("12.50"), "usd"`` -> ``1250``; refuses amounts finer than a settled amount may be."""
    if quantize_money(amount, currency, settlement=True) != amount:
        raise ValueError(f"{amount} {currency} is not a whole number of minor units")
    return int(Decimal(amount).scaleb(stripe_exponent(currency)))


def from_stripe_minor_units(value: int, currency: str) -> Decimal:
    """An integer amount as Stripe's API gives it (e.g. a payout), in the major unit."""
    return quantize_money(Decimal(int(value)).scaleb(-stripe_exponent(currency)), currency, settlement=True)
