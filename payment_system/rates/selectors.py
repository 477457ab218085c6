"""Reads of the stored exchange rates. No provider is ever called here."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.cache import cache

from payment_system.rates.models import ExchangeRate


@dataclass(frozen=True)
class RateTable:
    """The latest stored day of rates: ``rates[c]`` units of ``c`` per unit of ``base``."""

    base: str
    date: date
    source: str
    rates: dict[str, Decimal]

    @property
    def currencies(self) -> set[str]:
        return {self.base, *self.rates}


def exchange_rate_table_latest() -> RateTable | None:
    """The most recent complete day stored (two queries), or None before the first update."""
    latest = (
        ExchangeRate.objects.order_by("-rate_date", "-fetched_at")
        .values("base_currency", "rate_date", "source")
        .first()
    )
    if latest is None:
        return None
    rows = ExchangeRate.objects.filter(
        base_currency=latest["base_currency"], rate_date=latest["rate_date"]
    ).values_list("currency", "rate")
    return RateTable(
        base=latest["base_currency"], date=latest["rate_date"], source=latest["source"], rates=dict(rows)
    )


RATE_TABLE_CACHE_KEY = "exchange-rates:latest"
RATE_TABLE_CACHE_SECONDS = 600


def exchange_rate_table_cached() -> RateTable | None:
    """``exchange_rate_table_latest`` from one cache read (rebuilt after ``RATE_TABLE_CACHE_SECONDS``
    or as soon as a new day is stored, see ``exchange_rates_store``)."""
    table: RateTable | None = cache.get(RATE_TABLE_CACHE_KEY)
    if table is None:
        table = exchange_rate_table_latest()
        if table is not None:
            cache.set(RATE_TABLE_CACHE_KEY, table, RATE_TABLE_CACHE_SECONDS)
    return table
