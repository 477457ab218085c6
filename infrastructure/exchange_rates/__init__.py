"""Exchange-rate providers: the daily rates of one base currency, as plain data.

``get_provider()`` picks the implementation from ``EXCHANGE_RATES_PROVIDER``:

- ``fixed``: a built-in table (the embedded default with ``DEBUG``; no network);
- ``ecb``: the European Central Bank's daily reference rates (XML, base EUR, no key needed);
- ``http``: any JSON endpoint answering ``{"base": "USD", "date": "YYYY-MM-DD", "rates": {...}}``
  at ``EXCHANGE_RATES_URL`` (``{base}`` in the URL is replaced by ``EXCHANGE_RATES_BASE``).

Every failure (network, timeout, garbage, a required currency missing) raises
``ExchangeRateProviderError``: the caller keeps the rates it has and tries again later.
"""

from django.conf import settings

from infrastructure.exchange_rates.base import (  # noqa: F401
    ExchangeRateProvider,
    ExchangeRateProviderError,
    RateQuote,
)

__all__ = [
    "ExchangeRateProvider",
    "ExchangeRateProviderError",
    "RateQuote",
    "get_provider",
]


def get_provider() -> "ExchangeRateProvider":
    name = settings.EXCHANGE_RATES_PROVIDER
    if name == "fixed":
        from infrastructure.exchange_rates.fixed import FixedRateProvider

        return FixedRateProvider()
    if name == "ecb":
        from infrastructure.exchange_rates.ecb import ECBProvider

        return ECBProvider(
            url=settings.EXCHANGE_RATES_URL,
            timeout=settings.EXCHANGE_RATES_TIMEOUT_SECONDS,
            retries=settings.EXCHANGE_RATES_HTTP_RETRIES,
        )
    if name == "http":
        from infrastructure.exchange_rates.http_json import JSONHTTPProvider

        return JSONHTTPProvider(
            url=settings.EXCHANGE_RATES_URL,
            base=settings.EXCHANGE_RATES_BASE,
            timeout=settings.EXCHANGE_RATES_TIMEOUT_SECONDS,
            retries=settings.EXCHANGE_RATES_HTTP_RETRIES,
        )
    raise ValueError(f"Unknown EXCHANGE_RATES_PROVIDER {name!r} (fixed, ecb or http)")
