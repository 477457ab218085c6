"""GET with a timeout, transport retries and a size cap: the only network code of the providers."""

import time

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from infrastructure.exchange_rates.base import ExchangeRateProviderError

MAX_RESPONSE_BYTES = 1024 * 1024
USER_AGENT = "Designia exchange-rate updater"


def _session(retries: int) -> requests.Session:
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=0.5,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def fetch_bytes(url: str, *, timeout: float, retries: int, accept: str) -> bytes:
    """The body of a 200 answer. ``timeout`` bounds each attempt as a whole, not each socket read."""
    with _session(retries) as session:
        try:
            response = session.get(
                url, timeout=timeout, stream=True, headers={"Accept": accept, "User-Agent": USER_AGENT}
            )
        except requests.RequestException as exc:
            raise ExchangeRateProviderError(f"Request to the rate provider failed: {exc}") from exc
        with response:
            if response.status_code != 200:
                raise ExchangeRateProviderError(f"The rate provider answered HTTP {response.status_code}.")
            return _read_capped(response, timeout)


def _read_capped(response: requests.Response, timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(chunk_size=16384):
            size += len(chunk)
            if size > MAX_RESPONSE_BYTES:
                raise ExchangeRateProviderError("The rate provider's answer is too large.")
            if time.monotonic() > deadline:
                raise ExchangeRateProviderError("The rate provider's answer took too long.")
            chunks.append(chunk)
    except requests.RequestException as exc:
        raise ExchangeRateProviderError(f"Reading the rate provider's answer failed: {exc}") from exc
    return b"".join(chunks)
