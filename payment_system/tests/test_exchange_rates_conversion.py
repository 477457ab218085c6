"""Conversions and the public rates endpoint, against hand-computed values."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from payment_system.rates.conversion import (
    UnknownCurrencyError,
    amount_convert,
    convert,
    cross_rate,
    display_rate,
)
from payment_system.rates.currencies import (
    from_minor_units,
    from_stripe_minor_units,
    minor_unit_exponent,
    quantize_money,
    to_minor_units,
)
from payment_system.rates.models import ExchangeRate
from payment_system.rates.selectors import RateTable, exchange_rate_table_latest
from payment_system.tests.rates_server import RateServer

URL = "/api/payments/exchange-rates/"
DAY = date(2026, 11, 23)
EUR_RATES = {
    "USD": Decimal("1.08"),
    "JPY": Decimal("162.50"),
    "GBP": Decimal("0.84"),
    "KRW": Decimal("1475"),
    "KWD": Decimal("0.33"),
}
TABLE = RateTable(base="EUR", date=DAY, source="ecb", rates=EUR_RATES)


# --- currencies ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("currency", "exponent"), [("USD", 2), ("eur", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3), ("BHD", 3)]
)
def test_minor_unit_exponents(currency, exponent):
    assert minor_unit_exponent(currency) == exponent


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("2.345", "USD", "2.34"),  # half to even: down
        ("2.355", "USD", "2.36"),  # half to even: up
        ("2.3451", "USD", "2.35"),
        ("162.5", "JPY", "162"),
        ("163.5", "JPY", "164"),
        ("1.2345", "KWD", "1.234"),
        ("1.2355", "KWD", "1.236"),
    ],
)
def test_bankers_rounding_to_minor_units(amount, currency, expected):
    assert quantize_money(Decimal(amount), currency) == Decimal(expected)
    assert str(quantize_money(Decimal(amount), currency)) == expected


def test_minor_unit_round_trips():
    assert to_minor_units(Decimal("12.50"), "USD") == 1250
    assert to_minor_units(Decimal("1500"), "JPY") == 1500
    assert to_minor_units(Decimal("5.125"), "KWD") == 5125
    assert from_minor_units(1250, "USD") == Decimal("12.50")
    assert from_minor_units(1500, "JPY") == Decimal("1500")
    assert from_stripe_minor_units(15046, "jpy") == Decimal("15046")
    assert from_stripe_minor_units(10000, "ISK") == Decimal("100")  # two decimals at Stripe


# --- conversions (hand-computed from EUR rates: USD 1.08, JPY 162.50, GBP 0.84, KRW 1475, KWD 0.33) -------


@pytest.mark.parametrize(
    ("amount", "source", "target", "expected"),
    [
        ("100", "USD", "JPY", "15046"),  # 100 × 162.50 / 1.08 = 15046.296…
        ("100", "USD", "EUR", "92.59"),  # 100 / 1.08 = 92.592…
        ("1000", "JPY", "USD", "6.65"),  # 1000 × 1.08 / 162.50 = 6.6461…
        ("10", "GBP", "USD", "12.86"),  # 10 × 1.08 / 0.84 = 12.857…
        ("50", "USD", "KRW", "68287"),  # 50 × 1475 / 1.08 = 68287.037…
        ("1", "USD", "KWD", "0.306"),  # 0.33 / 1.08 = 0.30555…
        ("1", "EUR", "JPY", "162"),  # 162.5 exactly: half to even
        ("3", "EUR", "JPY", "488"),  # 487.5 exactly: half to even
        ("12.34", "EUR", "EUR", "12.34"),
    ],
)
def test_conversions(amount, source, target, expected):
    result = convert(TABLE, Decimal(amount), source, target)

    assert str(result) == expected


def test_cross_rates_are_exact_until_displayed():
    assert cross_rate(TABLE, "USD", "JPY") * Decimal("1.08") == Decimal("162.50")
    assert display_rate(cross_rate(TABLE, "USD", "JPY")) == "150.462962963"
    assert display_rate(cross_rate(TABLE, "USD", "EUR")) == "0.9259259259"
    assert display_rate(cross_rate(TABLE, "EUR", "USD")) == "1.08"
    assert display_rate(cross_rate(TABLE, "EUR", "KRW")) == "1475"


def test_an_unknown_currency_is_refused():
    with pytest.raises(UnknownCurrencyError, match="CHF"):
        convert(TABLE, Decimal(1), "USD", "CHF")


# --- the stored table and the endpoint --------------------------------------------------------------------


def store(rates, rate_date=DAY, base="EUR", source="ecb"):
    for code, rate in rates.items():
        ExchangeRate.objects.create(
            base_currency=base,
            currency=code,
            rate=rate,
            rate_date=rate_date,
            source=source,
            fetched_at=timezone.now(),
        )


@pytest.mark.django_db
def test_the_latest_day_is_read():
    store({"USD": Decimal("1.05"), "JPY": Decimal("150")}, rate_date=DAY - timedelta(days=1))
    store(EUR_RATES)

    assert exchange_rate_table_latest() == TABLE


@pytest.fixture
def provider_server(settings):
    """A configured rate provider, to show that requests never call it."""
    server = RateServer().start()
    settings.EXCHANGE_RATES_PROVIDER = "ecb"
    settings.EXCHANGE_RATES_URL = server.url
    yield server
    server.stop()


@pytest.mark.django_db
def test_rates_with_a_base_symbols_and_an_amount(api_client, django_assert_max_num_queries, provider_server):
    store(EUR_RATES)

    with django_assert_max_num_queries(2):
        response = api_client.get(URL, {"base": "usd", "symbols": "EUR,JPY", "amount": "100"})

    assert provider_server.hits == 0
    assert response.status_code == 200
    assert response.json() == {
        "base": "USD",
        "date": "2026-11-23",
        "source": "ecb",
        "rates": {"EUR": "0.9259259259", "JPY": "150.462962963"},
        "amount": "100.00",
        "converted": {"EUR": "92.59", "JPY": "15046"},
    }


@pytest.mark.django_db
def test_rates_default_to_the_default_currency_and_every_symbol(api_client, settings):
    settings.DEFAULT_CURRENCY = "USD"
    store(EUR_RATES)

    body = api_client.get(URL).json()

    assert body["base"] == "USD"
    assert list(body["rates"]) == ["EUR", "GBP", "JPY", "KRW", "KWD"]
    assert "amount" not in body and "converted" not in body


@pytest.mark.django_db
def test_the_amount_is_rounded_to_the_base_minor_unit_first(api_client):
    store(EUR_RATES)

    body = api_client.get(URL, {"base": "JPY", "symbols": "USD", "amount": "999.5"}).json()

    assert body["amount"] == "1000"  # 999.5 JPY → 1000 (half to even)
    assert body["converted"] == {"USD": "6.65"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"base": "XXX"}, "base"),
        ({"base": "US"}, "base"),
        ({"symbols": "EUR,CHF"}, "symbols"),
        ({"symbols": "EUR,12$"}, "symbols"),
        ({"symbols": ","}, "symbols"),
        ({"amount": "-1"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "1e400"}, "amount"),
    ],
)
def test_bad_queries_are_field_errors(api_client, params, field):
    store(EUR_RATES)

    response = api_client.get(URL, params)

    assert response.status_code == 400
    assert list(response.json()) == [field, "code"]


@pytest.mark.django_db
def test_amount_convert_uses_the_latest_stored_day():
    assert amount_convert(amount=Decimal("100"), from_currency="USD", to_currency="JPY") is None
    store(EUR_RATES)

    assert amount_convert(amount=Decimal("100"), from_currency="usd", to_currency="jpy") == Decimal("15046")


@pytest.mark.django_db
def test_before_the_first_update_the_endpoint_says_so(api_client, provider_server):
    response = api_client.get(URL)

    assert provider_server.hits == 0
    assert response.status_code == 503
    assert response.json()["code"] == "exchange_rates_unavailable"
