"""The nightly exchange-rate update (queue ``marketplace_tasks``, beat at 00:00 UTC)."""

from typing import Any

from celery import shared_task

from infrastructure.exchange_rates import ExchangeRateProviderError
from payment_system.rates.services import exchange_rates_update


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(ExchangeRateProviderError,),
    # 60 s, 120 s, 240 s, ... capped at an hour; six tries before giving up until the next night.
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=False,
    max_retries=6,
)
def update_exchange_rates_task(self: Any) -> dict[str, Any]:
    result = exchange_rates_update()
    return {
        "base": result.base,
        "date": result.rate_date.isoformat(),
        "source": result.source,
        "stored": result.stored,
        "purged": result.purged,
    }
