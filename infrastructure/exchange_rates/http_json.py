"""A generic JSON rate API: ``{"base": "USD", "date": "2026-11-24", "rates": {"EUR": 0.92, ...}}``.

Frankfurter-style and exchangerate.host-style answers fit. ``{base}`` in the URL is replaced by
the configured base; an answer for another base than the one asked for is refused.
"""

import json
from datetime import UTC, datetime

from infrastructure.exchange_rates._http import fetch_bytes
from infrastructure.exchange_rates.base import ExchangeRateProviderError, RateQuote, build_quote


def parse_rates_json(data: bytes, *, expected_base: str) -> RateQuote:
    try:
        body = json.loads(data, parse_float=str, parse_int=str)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ExchangeRateProviderError("The rate provider's answer is not JSON.") from exc
    if not isinstance(body, dict) or not isinstance(body.get("rates"), dict):
        raise ExchangeRateProviderError("The rate provider's answer has no 'rates' object.")
    base = str(body.get("base") or expected_base).upper()
    if base != expected_base.upper():
        raise ExchangeRateProviderError(f"Asked for base {expected_base}, got {base}.")
    rate_date = body.get("date") or datetime.now(tz=UTC).date().isoformat()
    return build_quote(base=base, rate_date=rate_date, pairs=body["rates"].items(), source="http")


class JSONHTTPProvider:
    name = "http"

    def __init__(self, *, url: str, base: str, timeout: float, retries: int):
        self.url, self.base, self.timeout, self.retries = url, base.upper(), timeout, retries

    def fetch(self) -> RateQuote:
        url = self.url.replace("{base}", self.base)
        body = fetch_bytes(url, timeout=self.timeout, retries=self.retries, accept="application/json")
        return parse_rates_json(body, expected_base=self.base)
