"""Cross rates and conversions through a table's base currency, in exact Decimal arithmetic.

Rates are not rounded on the way: only the final amount is rounded, once, to the target
currency's minor unit with banker's rounding (ROUND_HALF_EVEN).
"""

import decimal
from decimal import ROUND_HALF_EVEN, Decimal

from designiaBackend.currencies import quantize_money
from payment_system.rates.selectors import RateTable, exchange_rate_table_latest

RATE_DISPLAY_QUANTUM = Decimal("1e-10")
_CONTEXT = decimal.Context(prec=34, rounding=ROUND_HALF_EVEN)


class UnknownCurrencyError(ValueError):
    def __init__(self, currency: str) -> None:
        self.currency = currency
        super().__init__(f"No exchange rate for {currency}.")


def _units_per_base(table: RateTable, currency: str) -> Decimal:
    if currency == table.base:
        return Decimal(1)
    try:
        return table.rates[currency]
    except KeyError:
        raise UnknownCurrencyError(currency) from None


def cross_rate(table: RateTable, from_currency: str, to_currency: str) -> Decimal:
    """Units of ``to_currency`` for one unit of ``from_currency`` (full precision)."""
    return _CONTEXT.divide(_units_per_base(table, to_currency), _units_per_base(table, from_currency))


def convert(table: RateTable, amount: Decimal, from_currency: str, to_currency: str) -> Decimal:
    """``amount`` of ``from_currency`` in ``to_currency``, rounded to its minor unit."""
    numerator = _CONTEXT.multiply(Decimal(amount), _units_per_base(table, to_currency))
    exact = _CONTEXT.divide(numerator, _units_per_base(table, from_currency))
    return quantize_money(exact, to_currency)


def display_rate(rate: Decimal) -> str:
    """A rate as a plain decimal string with at most ten decimals and no trailing zeros."""
    text = format(rate.quantize(RATE_DISPLAY_QUANTUM, rounding=ROUND_HALF_EVEN), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def amount_convert(
    *, amount: Decimal, from_currency: str, to_currency: str, table: RateTable | None = None
) -> Decimal | None:
    """``amount`` converted with the latest stored rates (for other apps, e.g. prices shown in the
    buyer's currency). Returns None before the first rate update; raises ``UnknownCurrencyError``."""
    table = table or exchange_rate_table_latest()
    if table is None:
        return None
    return convert(table, amount, from_currency.upper(), to_currency.upper())
