"""Writes of exchange rates: the nightly update and the purge of old history."""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from designiaBackend.api.after_commit import best_effort
from infrastructure.exchange_rates import (
    ExchangeRateProvider,
    ExchangeRateProviderError,
    RateQuote,
    get_provider,
)
from payment_system.rates.models import ExchangeRate
from payment_system.rates.selectors import RATE_TABLE_CACHE_KEY

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateUpdateResult:
    base: str
    rate_date: date
    source: str
    stored: int
    purged: int


def _check_complete(quote: RateQuote) -> None:
    required = {code.upper() for code in settings.EXCHANGE_RATES_CURRENCIES} - {quote.base}
    missing = sorted(required - set(quote.rates))
    if missing:
        raise ExchangeRateProviderError(f"The {quote.source} answer lacks {', '.join(missing)}.")


def exchange_rates_purge_history(*, today: date | None = None) -> int:
    today = today or timezone.now().date()
    cutoff = today - timedelta(days=settings.EXCHANGE_RATE_HISTORY_DAYS)
    deleted, _ = ExchangeRate.objects.filter(rate_date__lt=cutoff).delete()
    return deleted


@transaction.atomic
def exchange_rates_store(*, quote: RateQuote) -> int:
    """Store one day of rates (all or nothing), ``update_or_create`` per (base, currency, date)."""
    fetched_at = timezone.now()
    for currency, rate in sorted(quote.rates.items()):
        ExchangeRate.objects.update_or_create(
            base_currency=quote.base,
            currency=currency,
            rate_date=quote.date,
            defaults={"rate": rate, "source": quote.source, "fetched_at": fetched_at},
        )
    best_effort(lambda: cache.delete(RATE_TABLE_CACHE_KEY), what="rate_table_cache")
    return len(quote.rates)


def exchange_rates_update(*, provider: ExchangeRateProvider | None = None) -> RateUpdateResult:
    """Fetch today's rates from the configured provider, store them and purge old history.

    Raises ``ExchangeRateProviderError`` (nothing stored) when the provider fails, answers
    garbage or leaves out a required currency (``EXCHANGE_RATES_CURRENCIES``).
    """
    provider = provider or get_provider()
    quote = provider.fetch()
    _check_complete(quote)
    stored = exchange_rates_store(quote=quote)
    purged = exchange_rates_purge_history()
    logger.info(
        "Stored %d %s exchange rates of %s from %s; purged %d",
        stored,
        quote.base,
        quote.date,
        quote.source,
        purged,
    )
    return RateUpdateResult(
        base=quote.base, rate_date=quote.date, source=quote.source, stored=stored, purged=purged
    )
