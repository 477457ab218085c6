"""Re-exported from ``designiaBackend.currencies`` (the catalogue validates prices with it too)."""

from designiaBackend.currencies import (  # noqa: F401
    STRIPE_EXPONENT_OVERRIDES,
    THREE_DECIMAL,
    ZERO_DECIMAL,
    from_minor_units,
    from_stripe_minor_units,
    minor_unit_exponent,
    quantize_money,
    to_minor_units,
)

__all__ = [
    "STRIPE_EXPONENT_OVERRIDES",
    "THREE_DECIMAL",
    "ZERO_DECIMAL",
    "from_minor_units",
    "from_stripe_minor_units",
    "minor_unit_exponent",
    "quantize_money",
    "to_minor_units",
]
