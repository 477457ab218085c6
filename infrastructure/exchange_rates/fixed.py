"""A fixed table (EUR base) for development and demos: no network, always the same answer.

The figures are of the order of real rates but are not live data.
"""

from datetime import UTC, datetime
from decimal import Decimal

from infrastructure.exchange_rates.base import RateQuote

FIXED_EUR_RATES = {
    "USD": Decimal("1.0800"),
    "GBP": Decimal("0.8400"),
    "JPY": Decimal("162.50"),
    "CHF": Decimal("0.9400"),
    "CAD": Decimal("1.4700"),
    "AUD": Decimal("1.6400"),
    "SEK": Decimal("11.450"),
    "NOK": Decimal("11.700"),
    "DKK": Decimal("7.4600"),
    "PLN": Decimal("4.3100"),
    "CZK": Decimal("25.100"),
    "KRW": Decimal("1475.00"),
    "CNY": Decimal("7.8000"),
    "INR": Decimal("90.500"),
    "BRL": Decimal("5.9000"),
    "MXN": Decimal("19.800"),
}


class FixedRateProvider:
    name = "fixed"

    def fetch(self) -> RateQuote:
        return RateQuote(
            base="EUR", date=datetime.now(tz=UTC).date(), rates=dict(FIXED_EUR_RATES), source="fixed"
        )
