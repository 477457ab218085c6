"""Rate providers against a local HTTP server: good answers, garbage, timeouts, missing data."""

import json
import time
from datetime import date
from decimal import Decimal

import pytest

from infrastructure.exchange_rates import ExchangeRateProviderError, get_provider
from infrastructure.exchange_rates.ecb import ECBProvider, parse_ecb_xml
from infrastructure.exchange_rates.fixed import FixedRateProvider
from infrastructure.exchange_rates.http_json import JSONHTTPProvider
from payment_system.tests.rates_server import ECB_RATES, RateServer, ecb_xml


@pytest.fixture
def rate_server():
    server = RateServer().start()
    yield server
    server.stop()


def ecb(server, timeout=2.0, retries=0):
    return ECBProvider(url=server.url, timeout=timeout, retries=retries)


def test_ecb_daily_xml_is_parsed_exactly(rate_server):
    quote = ecb(rate_server).fetch()

    assert (quote.base, quote.date, quote.source) == ("EUR", date(2026, 11, 23), "ecb")
    assert quote.rates == {code: Decimal(rate) for code, rate in ECB_RATES.items()}
    assert rate_server.hits == 1


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>Service temporarily unavailable</body></html>",
        b"not xml at all",
        b"",
        b"\xff\xfe\x00garbage",
        ecb_xml().replace(b"</gesmes:Envelope>", b""),
        ecb_xml({"USD": "abc"}),
        ecb_xml({"USD": "-1.08"}),
        ecb_xml({"USD": "NaN"}),
        ecb_xml({"US": "1.08"}),
        ecb_xml(date="23/11/2026"),
        ecb_xml({}),
    ],
)
def test_garbage_is_refused(rate_server, body):
    rate_server.answer(200, body)

    with pytest.raises(ExchangeRateProviderError):
        ecb(rate_server).fetch()


def test_a_dtd_is_refused_before_parsing():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b'<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01">&lol2;</gesmes:Envelope>'
    )
    external = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'

    for body in (bomb, external):
        with pytest.raises(ExchangeRateProviderError, match="DTD"):
            parse_ecb_xml(body)


def test_a_duplicated_currency_is_refused():
    body = ecb_xml().replace(b"<Cube currency='JPY'", b"<Cube currency='USD' rate='2'/><Cube currency='JPY'")

    with pytest.raises(ExchangeRateProviderError, match="twice"):
        parse_ecb_xml(body)


def test_a_slow_answer_times_out(rate_server):
    rate_server.answer(200, ecb_xml(), delay=1.5)
    started = time.monotonic()

    with pytest.raises(ExchangeRateProviderError):
        ecb(rate_server, timeout=0.3).fetch()

    assert time.monotonic() - started < 1.4


def test_server_errors_are_retried_at_the_transport_level(rate_server):
    rate_server.queue(503, b"busy")
    rate_server.queue(502, b"bad gateway")

    quote = ecb(rate_server, retries=2).fetch()

    assert quote.rates["USD"] == Decimal("1.0800")
    assert rate_server.hits == 3


def test_a_persistent_error_status_fails(rate_server):
    rate_server.answer(404, b"gone")

    with pytest.raises(ExchangeRateProviderError, match="HTTP 404"):
        ecb(rate_server, retries=1).fetch()


def test_an_unreachable_provider_fails():
    provider = ECBProvider(url="http://127.0.0.1:9/eurofxref-daily.xml", timeout=0.5, retries=0)

    with pytest.raises(ExchangeRateProviderError):
        provider.fetch()


def test_json_provider_with_a_configurable_base(rate_server):
    body = {"base": "USD", "date": "2026-11-23", "rates": {"EUR": 0.9259, "JPY": 150.46, "USD": 1}}
    rate_server.answer(200, json.dumps(body), content_type="application/json")
    provider = JSONHTTPProvider(url=rate_server.url + "?base={base}", base="usd", timeout=2, retries=0)

    quote = provider.fetch()

    assert (quote.base, quote.date, quote.source) == ("USD", date(2026, 11, 23), "http")
    # Floats in the JSON are read as their decimal text, not as binary floats.
    assert quote.rates == {"EUR": Decimal("0.9259"), "JPY": Decimal("150.46")}


@pytest.mark.parametrize(
    "body",
    [
        "[]",
        '{"rates": []}',
        '{"base": "GBP", "rates": {"EUR": 1.1}}',
        '{"base": "USD", "rates": {"EUR": "x"}}',
        "{not json",
    ],
)
def test_json_provider_refuses_garbage(rate_server, body):
    rate_server.answer(200, body, content_type="application/json")
    provider = JSONHTTPProvider(url=rate_server.url, base="USD", timeout=2, retries=0)

    with pytest.raises(ExchangeRateProviderError):
        provider.fetch()


def test_the_provider_follows_the_setting(settings):
    settings.EXCHANGE_RATES_PROVIDER = "fixed"
    assert isinstance(get_provider(), FixedRateProvider)
    settings.EXCHANGE_RATES_PROVIDER = "ecb"
    settings.EXCHANGE_RATES_URL = "http://127.0.0.1:9/x.xml"
    assert isinstance(get_provider(), ECBProvider)
    settings.EXCHANGE_RATES_PROVIDER = "http"
    assert isinstance(get_provider(), JSONHTTPProvider)
    settings.EXCHANGE_RATES_PROVIDER = "nope"
    with pytest.raises(ValueError, match="nope"):
        get_provider()
