"""Display prices: ?currency= (or the profile's preferred currency) on every catalogue read.

Rates are the payment system's latest stored day; prices themselves never change.
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from django.utils import timezone

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.favorites.services import favorite_toggle
from marketplace.tests.catalog_factories import CategoryFactory, ProductFactory
from marketplace.tests.ordering_factories import fill_cart
from payment_system.rates.models import ExchangeRate

pytestmark = pytest.mark.django_db

URL = "/api/marketplace/products/"
DAY = date(2026, 12, 2)
RATES = {
    "USD": Decimal("1.0512"),
    "JPY": Decimal("161.37"),
    "KWD": Decimal("0.32417"),
    "GBP": Decimal("0.8421"),
}


def store(rates=RATES, rate_date=DAY):
    for code, rate in rates.items():
        ExchangeRate.objects.create(
            base_currency="EUR",
            currency=code,
            rate=rate,
            rate_date=rate_date,
            source="ecb",
            fetched_at=timezone.now(),
        )


@pytest.fixture
def rates():
    store({code: rate * 2 for code, rate in RATES.items()}, rate_date=DAY - timedelta(days=1))
    store()


def yen(amount_eur):
    return str((Decimal(amount_eur) * RATES["JPY"]).quantize(Decimal(1), ROUND_HALF_EVEN))


def test_list_in_jpy_shows_whole_yen_equal_to_price_times_the_days_rate(api_client, rates):
    sale = ProductFactory(price=Decimal("129.99"), original_price=Decimal("150.00"), currency="EUR")
    plain = ProductFactory(price=Decimal("300.00"), currency="EUR")

    response = api_client.get(f"{URL}?currency=JPY")

    assert response.status_code == 200
    items = {item["id"]: item for item in response.json()["results"]}
    assert items[str(sale.pk)]["display_price"] == yen("129.99") == "20976"
    assert items[str(sale.pk)]["display_original_price"] == yen("150.00")
    assert items[str(plain.pk)]["display_price"] == yen("300.00")
    assert items[str(plain.pk)]["display_original_price"] is None
    for item in items.values():
        assert item["display_currency"] == "JPY"
        assert item["display_rate_date"] == "2026-12-02"
    # the stored prices are untouched
    assert items[str(sale.pk)]["price"] == "129.99"
    assert items[str(sale.pk)]["currency"] == "EUR"


def test_three_decimal_currency_and_cross_rates(api_client, rates):
    product = ProductFactory(price=Decimal("100.00"), currency="USD")

    item = api_client.get(f"{URL}?currency=kwd").json()["results"][0]

    # USD -> KWD through the EUR base: 100 * 0.32417 / 1.0512, three decimals
    expected = (Decimal("100") * RATES["KWD"] / RATES["USD"]).quantize(Decimal("0.001"), ROUND_HALF_EVEN)
    assert item["display_price"] == str(expected) == "30.838"
    assert item["display_currency"] == "KWD"
    assert item["id"] == str(product.pk)


def test_same_currency_is_shown_unchanged(api_client, rates):
    ProductFactory(price=Decimal("49.90"), currency="EUR")
    item = api_client.get(f"{URL}?currency=EUR").json()["results"][0]
    assert (item["display_price"], item["display_currency"]) == ("49.90", "EUR")


def test_without_a_currency_the_list_is_unchanged(api_client, rates):
    ProductFactory()
    item = api_client.get(URL).json()["results"][0]
    assert not {"display_price", "display_original_price", "display_currency", "display_rate_date"} & set(
        item
    )


@pytest.mark.parametrize("code", ["XYZ", "EURO", "1$", ""])
def test_an_unknown_currency_is_400_listing_the_supported_ones(api_client, rates, code):
    ProductFactory()
    for url in (f"{URL}?currency={code}", f"{URL}search/?q=oak&currency={code}"):
        response = api_client.get(url)
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "unsupported_currency"
        assert body["supported_currencies"] == ["EUR", "GBP", "JPY", "KWD", "USD"]
        assert "JPY" in body["detail"]


def test_before_any_rates_a_display_currency_is_refused(api_client):
    ProductFactory()
    response = api_client.get(f"{URL}?currency=JPY")
    assert response.status_code == 400
    assert response.json()["supported_currencies"] == []


def test_search_product_page_storefront_favorites_and_cart(api_client, auth_client, rates):
    seller = SellerFactory()
    product = ProductFactory(
        seller=seller, name="Oak bench", price=Decimal("80.00"), currency="EUR", stock_quantity=5
    )
    buyer = UserFactory()
    client = auth_client(buyer)
    favorite_toggle(user=buyer, product=product)
    fill_cart(buyer, (product, 2))

    searched = api_client.get(f"{URL}search/?currency=JPY").json()["results"][0]
    page = api_client.get(f"{URL}{product.slug}/?currency=JPY").json()
    store_page = api_client.get(f"/api/marketplace/sellers/{seller.pk}/?currency=JPY").json()
    favorites = client.get(f"{URL}favorites/?currency=JPY").json()["results"][0]
    cart = client.get("/api/marketplace/cart/?currency=JPY").json()

    for item in (
        searched,
        page,
        store_page["products"]["results"][0],
        favorites,
        cart["items"][0]["product"],
    ):
        assert item["display_price"] == yen("80.00")
        assert item["display_currency"] == "JPY"
        assert item["display_rate_date"] == "2026-12-02"
        assert item["price"] == "80.00"
    assert cart["items"][0]["display_total_price"] == yen("160.00")
    assert cart["items"][0]["total_price"] == "160.00"
    assert cart["display_totals"]["currency"] == "JPY"
    assert cart["display_totals"]["total_amount"] == yen(cart["totals"]["total_amount"])
    # the cart itself stays priced in its own currency
    assert cart["totals"]["subtotal"] == "160.00"

    for url in (
        f"{URL}{product.slug}/?currency=XYZ",
        f"/api/marketplace/sellers/{seller.pk}/?currency=XYZ",
    ):
        assert api_client.get(url).json()["code"] == "unsupported_currency"
    assert client.get(f"{URL}favorites/?currency=XYZ").status_code == 400
    assert client.get("/api/marketplace/cart/?currency=XYZ").status_code == 400


def test_cart_add_with_an_unknown_currency_stores_nothing(auth_client, rates):
    product = ProductFactory(price=Decimal("80.00"), currency="EUR")
    buyer = UserFactory()
    response = auth_client(buyer).post(
        "/api/marketplace/cart/add_item/?currency=XYZ", {"product_id": product.pk}, format="json"
    )
    assert response.status_code == 400
    assert auth_client(buyer).get("/api/marketplace/cart/").json()["items"] == []


def test_the_profiles_preferred_currency_applies_and_the_query_wins(auth_client, rates):
    ProductFactory(price=Decimal("10.00"), currency="EUR")
    buyer = UserFactory()
    client = auth_client(buyer)

    assert client.patch("/api/auth/profile/", {"preferred_currency": "gbp"}, format="json").status_code == 200
    assert client.get("/api/auth/profile/").json()["profile"]["preferred_currency"] == "GBP"

    item = client.get(URL).json()["results"][0]
    assert (item["display_price"], item["display_currency"]) == ("8.42", "GBP")
    item = client.get(f"{URL}?currency=JPY").json()["results"][0]
    assert item["display_currency"] == "JPY"
    # an anonymous reader of the same URL is not served the signed-in reader's cached page
    assert "display_price" not in auth_client(UserFactory()).get(URL).json()["results"][0]


def test_a_preferred_currency_without_rates_is_ignored(auth_client, rates):
    ProductFactory()
    buyer = UserFactory()
    buyer.profile.preferred_currency = "CHF"
    buyer.profile.save()
    response = auth_client(buyer).get(URL)
    assert response.status_code == 200
    assert "display_price" not in response.json()["results"][0]


def test_a_bad_preferred_currency_is_a_field_error(auth_client):
    client = auth_client(UserFactory())
    response = client.patch("/api/auth/profile/", {"preferred_currency": "EURO"}, format="json")
    assert response.status_code == 400
    assert "preferred_currency" in response.json()


@pytest.mark.parametrize("page_size", [1, 40])
def test_display_prices_cost_no_query_per_row(
    api_client, auth_client, rates, django_assert_num_queries, page_size, settings
):
    settings.CATALOG_RESPONSE_CACHE_SECONDS = 0  # count the real build every time
    settings.CATALOG_COUNT_CACHE_SECONDS = 0  # and its COUNT(*)
    seller, category = SellerFactory(), CategoryFactory()
    for index in range(40):
        ProductFactory(name=f"Oak chair {index}", seller=seller, category=category, currency="EUR")
    api_client.get(f"{URL}?currency=JPY")  # warms the rate cache (two queries, once)

    with django_assert_num_queries(2):  # count, page: no rate query, none per row
        body = api_client.get(f"{URL}?currency=JPY&page_size={page_size}").json()
    assert len(body["results"]) == page_size
    buyer = UserFactory()
    buyer.profile.preferred_currency = "JPY"
    buyer.profile.save()
    with django_assert_num_queries(3):  # the caller (JWT, profile joined), count, page
        body = auth_client(buyer).get(f"{URL}?page_size={page_size}").json()
    assert all(item["display_currency"] == "JPY" for item in body["results"])
    product = body["results"][0]
    with django_assert_num_queries(3):  # the caller, the page, the caller's favorite (as before)
        assert auth_client(buyer).get(f"{URL}{product['slug']}/").json()["display_currency"] == "JPY"


def test_a_new_day_of_rates_is_used_at_once(api_client, rates, django_capture_on_commit_callbacks):
    from infrastructure.exchange_rates import RateQuote
    from payment_system.rates.services import exchange_rates_store

    ProductFactory(price=Decimal("100.00"), currency="EUR")
    assert api_client.get(f"{URL}?currency=JPY").json()["results"][0]["display_price"] == yen("100.00")

    with django_capture_on_commit_callbacks(execute=True):
        exchange_rates_store(
            quote=RateQuote(
                base="EUR", date=DAY + timedelta(days=1), source="ecb", rates={"JPY": Decimal("170")}
            )
        )

    item = api_client.get(f"{URL}?currency=JPY").json()["results"][0]
    assert (item["display_price"], item["display_rate_date"]) == ("17000", "2026-12-03")
