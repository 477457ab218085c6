"""The European Central Bank's daily euro reference rates (eurofxref-daily.xml, base EUR)."""

import xml.etree.ElementTree as ET  # noqa: S405 - only after refusing DTDs, see parse_ecb_xml

from infrastructure.exchange_rates._http import fetch_bytes
from infrastructure.exchange_rates.base import ExchangeRateProviderError, RateQuote, build_quote

GESMES_NS = "http://www.gesmes.org/xml/2002-08-01"
ECB_NS = "http://www.ecb.int/vocabulary/2002-08-01/eurofxref"


def parse_ecb_xml(data: bytes) -> RateQuote:
    """Parse the ECB envelope. Garbage, DTDs/entities (XML bombs, external entities) and any
    unexpected structure raise ``ExchangeRateProviderError``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExchangeRateProviderError("The ECB answer is not UTF-8.") from exc
    lowered = text.lower()
    if "<!doctype" in lowered or "<!entity" in lowered:
        raise ExchangeRateProviderError("The ECB answer declares a DTD; refused.")
    try:
        # A str is parsed as the text it is: an encoding declaration cannot re-interpret it.
        root = ET.fromstring(text)  # noqa: S314 - no DTD possible here (checked above)
    except ET.ParseError as exc:
        raise ExchangeRateProviderError(f"The ECB answer is not XML: {exc}") from exc
    if root.tag != f"{{{GESMES_NS}}}Envelope":
        raise ExchangeRateProviderError("The ECB answer is not a gesmes envelope.")
    days = root.findall(f"./{{{ECB_NS}}}Cube/{{{ECB_NS}}}Cube[@time]")
    if len(days) != 1:
        raise ExchangeRateProviderError(f"Expected one day of rates, found {len(days)}.")
    day = days[0]
    pairs = [(cube.get("currency"), cube.get("rate")) for cube in day.findall(f"./{{{ECB_NS}}}Cube")]
    return build_quote(base="EUR", rate_date=day.get("time"), pairs=pairs, source="ecb")


class ECBProvider:
    name = "ecb"

    def __init__(self, *, url: str, timeout: float, retries: int):
        self.url, self.timeout, self.retries = url, timeout, retries

    def fetch(self) -> RateQuote:
        body = fetch_bytes(self.url, timeout=self.timeout, retries=self.retries, accept="application/xml")
        return parse_ecb_xml(body)
