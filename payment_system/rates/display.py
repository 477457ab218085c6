"""The rate source the catalogue shows prices with (``marketplace.catalog.display_currency``)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from payment_system.rates.conversion import UnknownCurrencyError, convert
from payment_system.rates.selectors import RateTable, exchange_rate_table_cached


@dataclass(frozen=True)
class TableDisplayRates:
    table: RateTable

    @property
    def date(self) -> date:
        return self.table.date

    @property
    def currencies(self) -> set[str]:
        return self.table.currencies

    def convert(self, amount: Decimal, from_currency: str, to_currency: str) -> Decimal:
        try:
            return convert(self.table, amount, from_currency, to_currency)
        except UnknownCurrencyError as error:
            raise ValueError(str(error)) from None


def display_rates_latest() -> TableDisplayRates | None:
    table = exchange_rate_table_cached()
    return TableDisplayRates(table) if table is not None else None
