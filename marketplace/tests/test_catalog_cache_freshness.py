"""Cached catalogue reads stay correct (issue 15): a stock change (a checkout, a cancelled
order), a price change and a new product show on the very next list, search, facets and
category read, through the real URLs, while an unchanged catalogue is answered from the cache.
``transaction=True``: the search reads InnoDB's FULLTEXT index, which sees committed rows."""

from decimal import Decimal

import pytest

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.tests.catalog_factories import CategoryFactory, ProductFactory
from marketplace.tests.ordering_factories import fill_cart

URL = "/api/marketplace/products/"
READS = {
    "list": f"{URL}?category=lamps&page_size=12",
    "search": f"{URL}search/?q=lamp&ordering=relevance",
    "in_stock": f"{URL}?in_stock=true&category=lamps",
    "facets": f"{URL}filters/?q=lamp",
    "all_facets": f"{URL}filters/",
    "categories": f"{URL}categories/",
}


@pytest.fixture
def lamp():
    category = CategoryFactory(name="Lamps", slug="lamps")
    return ProductFactory(
        name="Brass Lamp",
        category=category,
        materials="Brass",
        price=Decimal("95.00"),
        stock_quantity=1,
        description="",
        tags=[],
    )


def read_all(client):
    bodies = {}
    for name, url in READS.items():
        response = client.get(url)
        assert response.status_code == 200, (name, response.content[:200])
        bodies[name] = response.json()
    return bodies


def lamps_count(categories):
    return {row["slug"]: row["product_count"] for row in categories}["lamps"]


def assert_cached(client, django_assert_num_queries):
    """Nothing changed: every read is answered by the cache (no query)."""
    for url in READS.values():
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_checkout_and_a_cancellation_show_on_the_next_read(
    api_client, auth_client, settings, django_assert_num_queries, lamp
):
    settings.PAYMENT_GATEWAY = "dummy"
    before = read_all(api_client)
    assert before["list"]["results"][0]["stock_quantity"] == 1
    assert before["search"]["results"][0]["is_in_stock"] is True
    assert (before["in_stock"]["count"], lamps_count(before["categories"])) == (1, 1)
    assert_cached(api_client, django_assert_num_queries)

    buyer = UserFactory()
    fill_cart(buyer, (lamp, 1))
    checkout = auth_client(buyer).post("/api/payments/checkout_session/")
    assert checkout.status_code == 200, checkout.content
    sold = read_all(api_client)
    assert sold["list"]["results"][0]["stock_quantity"] == 0
    assert sold["search"]["results"][0]["is_in_stock"] is False
    assert (sold["in_stock"]["count"], sold["in_stock"]["results"]) == (0, [])
    assert lamps_count(sold["categories"]) == 0
    assert {c["slug"]: c["product_count"] for c in sold["all_facets"]["categories"]}["lamps"] == 0

    order_id = checkout.json()["order_id"]
    cancel = auth_client(buyer).post(
        f"/api/marketplace/orders/{order_id}/cancel/", {"reason": "other"}, format="json"
    )
    assert cancel.status_code == 200, cancel.content
    back = read_all(api_client)
    assert back["list"]["results"][0]["stock_quantity"] == 1
    assert (back["in_stock"]["count"], lamps_count(back["categories"])) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_a_price_change_and_a_new_product_show_on_the_next_read(
    api_client, auth_client, django_assert_num_queries, lamp
):
    before = read_all(api_client)
    assert before["search"]["results"][0]["price"] == "95.00"
    assert before["facets"]["price_range"] == {"min": "95.00", "max": "95.00"}
    assert_cached(api_client, django_assert_num_queries)

    owner = auth_client(lamp.seller)
    assert owner.patch(f"{URL}{lamp.slug}/", {"price": "110.00"}, format="json").status_code == 200
    repriced = read_all(api_client)
    assert repriced["list"]["results"][0]["price"] == "110.00"
    assert repriced["search"]["results"][0]["price"] == "110.00"
    assert repriced["facets"]["price_range"] == {"min": "110.00", "max": "110.00"}
    assert repriced["all_facets"]["price_range"] == {"min": "110.00", "max": "110.00"}
    assert_cached(api_client, django_assert_num_queries)

    body = {"name": "Linen Floor Lamp", "price": "240.00", "stock_quantity": 3, "category": lamp.category_id}
    created = auth_client(SellerFactory()).post(URL, {**body, "materials": "Linen"}, format="json")
    assert created.status_code == 201
    new_id = created.json()["id"]
    grown = read_all(api_client)
    assert new_id in [item["id"] for item in grown["list"]["results"]]
    assert new_id in [item["id"] for item in grown["search"]["results"]]
    assert grown["in_stock"]["count"] == 2 and lamps_count(grown["categories"]) == 2
    assert grown["facets"]["price_range"] == {"min": "110.00", "max": "240.00"}
    assert {row["value"]: row["count"] for row in grown["facets"]["materials"]} == {"brass": 1, "linen": 1}
    assert {c["slug"]: c["count"] for c in grown["all_facets"]["categories"]}["lamps"] == 2
