"""The provider interface and the checks every provider's answer goes through."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Protocol

CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
# Generous bounds for "units of a currency per unit of another": rejects zeros, negatives,
# NaN/Infinity and absurd magnitudes that only a broken answer would contain.
MIN_RATE = Decimal("0.0000001")
MAX_RATE = Decimal("10000000000")


class ExchangeRateProviderError(Exception):
    """The provider could not give a complete, well-formed answer. Always worth retrying."""


@dataclass(frozen=True)
class RateQuote:
    """``rates[c]`` = units of currency ``c`` for one unit of ``base``, valid on ``date``."""

    base: str
    date: date
    rates: dict[str, Decimal]
    source: str


class ExchangeRateProvider(Protocol):
    name: str

    def fetch(self) -> RateQuote: ...


def parse_currency(value: object) -> str:
    code = str(value or "").strip().upper()
    if not CURRENCY_CODE.match(code):
        raise ExchangeRateProviderError(f"Not a currency code: {str(value)[:20]!r}")
    return code


def parse_rate(value: object) -> Decimal:
    try:
        rate = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ExchangeRateProviderError(f"Not a rate: {str(value)[:20]!r}") from exc
    if not rate.is_finite() or not MIN_RATE <= rate <= MAX_RATE:
        raise ExchangeRateProviderError(f"Rate out of range: {str(value)[:20]!r}")
    return rate


def parse_date(value: object) -> date:
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ExchangeRateProviderError(f"Not a date: {str(value)[:20]!r}") from exc


def build_quote(
    *, base: object, rate_date: object, pairs: Iterable[tuple[object, object]], source: str
) -> RateQuote:
    """Validate ``pairs`` (an iterable of ``(currency, rate)``) into a ``RateQuote``."""
    base = parse_currency(base)
    rates: dict[str, Decimal] = {}
    for currency, rate in pairs:
        code = parse_currency(currency)
        if code in rates:
            raise ExchangeRateProviderError(f"{code} appears twice in the answer.")
        if code != base:
            rates[code] = parse_rate(rate)
    if not rates:
        raise ExchangeRateProviderError("The answer holds no rates.")
    return RateQuote(base=base, date=parse_date(rate_date), rates=rates, source=source)
