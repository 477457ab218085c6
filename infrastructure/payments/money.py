"""Decimal amounts in the major unit <-> Stripe's integer minor units (``designiaBackend.currencies``
holds the currencies' exponents and the one rounding)."""

from designiaBackend.currencies import from_stripe_minor_units as from_minor
from designiaBackend.currencies import to_stripe_minor_units as to_minor

__all__ = ["from_minor", "to_minor"]
