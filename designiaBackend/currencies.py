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


def minor_unit_exponent(currency: str) -> int:
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def quantize_money(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded to the currency's minor unit with banker's rounding (ROUND_HALF_EVEN)."""
    exponent = Decimal(1).scaleb(-minor_unit_exponent(currency))
    return Decimal(amount).quantize(exponent, rounding=ROUND_HALF_EVEN)


def to_minor_units(amount: Decimal, currency: str) -> int:
    return int(quantize_money(amount, currency).scaleb(minor_unit_exponent(currency)))


def from_minor_units(value: int, currency: str) -> Decimal:
    return quantize_money(Decimal(int(value)).scaleb(-minor_unit_exponent(currency)), currency)


def from_stripe_minor_units(value: int, currency: str) -> Decimal:
    """An integer amount as Stripe's API gives it (e.g. a payout), in the major unit."""
    code = currency.upper()
    exponent = STRIPE_EXPONENT_OVERRIDES.get(code, minor_unit_exponent(code))
    return Decimal(int(value)).scaleb(-exponent)
