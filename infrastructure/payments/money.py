"""Decimal amounts in the major unit <-> Stripe's integer minor units."""

from decimal import ROUND_HALF_UP, Decimal

# Currencies without a minor unit at Stripe (https://docs.stripe.com/currencies#zero-decimal).
ZERO_DECIMAL_CURRENCIES = frozenset(
    {
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    }
)
CENT = Decimal("0.01")


def minor_unit_factor(currency: str) -> int:
    return 1 if currency.lower() in ZERO_DECIMAL_CURRENCIES else 100


def to_minor(amount: Decimal, currency: str) -> int:
    """``Decimal("12.50"), "usd"`` -> ``1250``; refuses amounts finer than the minor unit."""
    scaled = Decimal(amount) * minor_unit_factor(currency)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency} is not a whole number of minor units")
    return int(scaled)


def from_minor(amount: int, currency: str) -> Decimal:
    factor = minor_unit_factor(currency)
    return (Decimal(int(amount)) / factor).quantize(Decimal(1) if factor == 1 else CENT, ROUND_HALF_UP)
