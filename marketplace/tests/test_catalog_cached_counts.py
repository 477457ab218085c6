"""A list's count is cached per filter set under the catalogue version (issue 15, speed): the
pages after the first skip the COUNT(*), and a stock change, a price change or a new product
still shows on the next read of any page (response cache and count cache both on)."""

from decimal import Decimal

import pytest

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.tests.catalog_factories import CategoryFactory, ProductFactory
from marketplace.tests.ordering_factories import fill_cart

pytestmark = pytest.mark.django_db

URL = "/api/marketplace/products/"
CHECKOUT = "/api/payments/checkout_session/"


@pytest.fixture(autouse=True)
def caches_on(settings):
    settings.CATALOG_RESPONSE_CACHE_SECONDS = 60
    settings.CATALOG_COUNT_CACHE_SECONDS = 300


def counted(client, query):
    body = client.get(f"{URL}{query}").json()
    return body["count"], [item["slug"] for item in body["results"]]


@pytest.mark.parametrize("page_size", [2, 30])
def test_later_pages_and_other_sorts_of_a_filter_set_run_only_the_page_query(
    api_client, settings, django_assert_num_queries, page_size
):
    settings.CATALOG_RESPONSE_CACHE_SECONDS = 0  # every request builds its page
    category = CategoryFactory()
    for index in range(70):
        ProductFactory(category=category, price=Decimal(10 + index))
    api_client.get(f"{URL}categories/")  # the category tree, cached

    with django_assert_num_queries(2):  # the count, the page
        first = api_client.get(f"{URL}?category={category.slug}&page_size={page_size}").json()
    with django_assert_num_queries(1):  # the page (the count is the filter set's)
        second = api_client.get(
            f"{URL}?category={category.slug}&page=2&page_size={page_size}&ordering=price"
        ).json()
    with django_assert_num_queries(2):  # another filter set: counted
        narrower = api_client.get(f"{URL}?category={category.slug}&price_max=19&page_size={page_size}").json()

    assert (first["count"], second["count"], narrower["count"]) == (70, 70, 10)
    assert second["page"] == 2 and second["has_previous"] is True
    assert [item["price"] for item in second["results"]][:2] == [
        f"{10 + page_size}.00",
        f"{11 + page_size}.00",
    ]


def test_a_checkout_that_empties_a_product_shows_on_every_page_at_once(auth_client, api_client, settings):
    settings.PAYMENT_GATEWAY = "dummy"
    settings.FRONTEND_URL = "https://shop.example"
    products = [ProductFactory(stock_quantity=1, price=Decimal("600.00")) for _ in range(3)]
    assert counted(api_client, "?in_stock=true&page_size=2")[0] == 3
    assert counted(api_client, "?in_stock=true&page=2&page_size=2") == (3, [products[0].slug])

    buyer = UserFactory()
    fill_cart(buyer, (products[0], 1))
    assert auth_client(buyer).post(CHECKOUT).status_code == 200

    assert counted(api_client, "?in_stock=true&page=1&page_size=2") == (
        2,
        [products[2].slug, products[1].slug],
    )
    # A page not read since: its count is the new one, and the emptied product is gone from it.
    assert api_client.get(f"{URL}?in_stock=true&page=2&page_size=2").status_code == 404
    listed = api_client.get(f"{URL}?page_size=3").json()["results"]
    assert [(item["slug"], item["stock_quantity"]) for item in listed][-1] == (products[0].slug, 0)


def test_a_price_change_and_a_new_product_show_on_the_next_read(auth_client, api_client):
    seller, category = SellerFactory(), CategoryFactory()
    cheap = ProductFactory(seller=seller, category=category, price=Decimal("40.00"))
    ProductFactory(seller=seller, category=category, price=Decimal("400.00"))
    query = f"?category={category.slug}&price_max=100&page_size=1"
    assert counted(api_client, query) == (1, [cheap.slug])
    client = auth_client(seller)

    response = client.patch(f"{URL}{cheap.slug}/", {"price": "140.00"}, format="json")
    assert response.status_code == 200
    assert api_client.get(f"{URL}{query}").status_code == 200
    assert counted(api_client, query) == (0, [])

    created = client.post(
        URL,
        {
            "name": "Ash Stool",
            "description": "A small ash stool.",
            "price": "60.00",
            "stock_quantity": 2,
            "category": category.id,
            "condition": "new",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert counted(api_client, query) == (1, [created.json()["slug"]])
    assert counted(api_client, f"?category={category.slug}&page=2&page_size=1&ordering=price")[0] == 3
