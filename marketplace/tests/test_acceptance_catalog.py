"""Contract acceptance scenarios F1, F5, F6, F14, F15 and F21, through the real URLs."""

import io
from decimal import Decimal

import pytest
import requests
from django.core.management import call_command

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.catalog.products.demo_data import VARIANT_PRODUCTS
from marketplace.tests.catalog_factories import (
    CategoryFactory,
    ProductFactory,
    image_item,
    received_order_item,
)

URL = "/api/marketplace/products/"
PAGE_KEYS = {"count", "page", "page_size", "num_pages", "has_next", "has_previous", "results"}


@pytest.mark.django_db
def test_F01_guest_home_page_loads_more(api_client):
    seller, category = SellerFactory(), CategoryFactory()
    products = [ProductFactory(seller=seller, category=category, stock_quantity=i % 3) for i in range(15)]

    first = api_client.get(f"{URL}?page=1&page_size=12")
    assert first.status_code == 200
    page = first.json()
    assert set(page) >= PAGE_KEYS
    assert (page["count"], page["page"], page["page_size"], page["num_pages"]) == (15, 1, 12, 2)
    assert (page["has_next"], page["has_previous"], len(page["results"])) == (True, False, 12)
    card = page["results"][0]
    assert {"name", "price", "primary_image", "average_rating", "review_count", "is_in_stock"} <= set(card)
    by_id = {str(p.id): p for p in products}
    assert all(item["is_in_stock"] is (by_id[item["id"]].stock_quantity > 0) for item in page["results"])

    second = api_client.get(f"{URL}?page=2&page_size=12").json()
    assert (second["page"], second["has_next"], len(second["results"])) == (2, False, 3)
    seen = {item["id"] for item in page["results"]} | {item["id"] for item in second["results"]}
    assert seen == set(by_id)


@pytest.mark.django_db(transaction=True)
def test_F05_browse_and_search_with_filters_sort_and_scroll(api_client):
    seller = SellerFactory()
    chairs = CategoryFactory(name="Chairs", slug="chairs")
    stools = CategoryFactory(name="Stools", slug="stools")
    tables = CategoryFactory(name="Tables", slug="tables")
    made = []
    for index in range(14):
        made.append(
            ProductFactory(
                seller=seller,
                category=chairs if index % 2 else stools,
                name=f"Oak chair {index}",
                price=Decimal(60 + index * 40),
                condition=["new", "like_new", "good"][index % 3],
                average_rating=Decimal("4.5") if index % 4 else Decimal("3.0"),
                stock_quantity=0 if index == 5 else 3,
            )
        )
    ProductFactory(seller=seller, category=tables, name="Chair-side table", tags=["chair"])
    ProductFactory(seller=seller, category=tables, name="Walnut table", tags=[])

    base = f"{URL}search/?q=chair&ordering=-created_at&page_size=12"
    step1 = api_client.get(f"{base}&page=1").json()
    assert step1["count"] == 15 and step1["has_next"] is True
    created = [item["id"] for item in step1["results"]]
    assert created == sorted(created, reverse=True)

    categories = api_client.get(f"{URL}categories/").json()
    assert isinstance(categories, list) and {"chairs", "stools", "tables"} <= {c["slug"] for c in categories}

    step3 = api_client.get(f"{base}&category=chairs&category=stools&page=1").json()
    assert step3["count"] == 14

    filtered = f"{base}&category=chairs&category=stools&price_min=100&price_max=500"
    in_range = [p for p in made if 100 <= p.price <= 500]
    assert 0 < len(in_range) < 14
    assert api_client.get(f"{filtered}&page=1").json()["count"] == len(in_range)
    filtered += "&condition=new&condition=like_new"
    expected = [p for p in in_range if p.condition in ("new", "like_new")]
    assert api_client.get(f"{filtered}&page=1").json()["count"] == len(expected)
    filtered += "&min_rating=4&in_stock=true"
    expected = [p for p in expected if p.average_rating >= 4 and p.stock_quantity > 0]
    result = api_client.get(f"{filtered}&page=1").json()
    assert {item["id"] for item in result["results"]} == {str(p.id) for p in expected}

    by_price = api_client.get(
        f"{URL}search/?q=chair&category=chairs&category=stools&ordering=price&page_size=12"
    ).json()
    prices = [Decimal(item["price"]) for item in by_price["results"]]
    assert prices == sorted(prices) and by_price["has_next"] is True

    page2 = api_client.get(
        f"{URL}search/?q=chair&category=chairs&category=stools&ordering=price&page_size=12&page=2"
    )
    assert page2.json()["page"] == 2
    assert [Decimal(item["price"]) for item in page2.json()["results"]] == sorted(p.price for p in made)[12:]


@pytest.mark.django_db
def test_F06_product_detail_page(api_client, auth_client):
    product = ProductFactory(
        price=Decimal("80.00"), original_price=Decimal("100.00"), materials="Oak", brand="Forma"
    )
    buyer = UserFactory()
    received_order_item(buyer=buyer, product=product)
    auth_client(buyer).post(
        f"{URL}{product.slug}/reviews/",
        {"rating": 4, "title": "Nice", "comment": "Lovely oak grain."},
        format="json",
    )

    detail = api_client.get(f"{URL}{product.slug}/")
    assert detail.status_code == 200
    data = detail.json()
    assert (data["price"], data["original_price"], data["is_on_sale"]) == ("80.00", "100.00", True)
    assert (data["average_rating"], data["review_count"]) == ("4.00", 1)
    assert data["seller"] == {
        "id": str(product.seller_id),
        "username": product.seller.username,
        "shop_name": "",
        "seller_rating": "4.00",
    }
    assert (data["condition"], data["brand"], data["materials"]) == ("new", "Forma", "Oak")
    assert isinstance(data["images"], list) and isinstance(data["tags"], list)

    reviews = api_client.get(f"{URL}{product.slug}/reviews/").json()
    assert set(reviews) >= PAGE_KEYS
    [review] = reviews["results"]
    assert review["reviewer"]["username"] == buyer.username
    assert (review["is_verified_purchase"], review["rating"], review["title"]) == (True, 4, "Nice")
    assert review["comment"] == "Lovely oak grain." and review["created_at"]

    missing = api_client.get(f"{URL}no-such-product/")
    assert missing.status_code == 404
    assert missing.json()["detail"]


@pytest.mark.django_db
def test_F14_seller_creates_a_product_with_images(auth_client, api_client, s3_storage):
    seller = SellerFactory()
    client = auth_client(seller)
    category = CategoryFactory()
    assert category.id in [c["id"] for c in client.get(f"{URL}categories/").json()]

    body = {
        "name": "Oak Chair",
        "description": "Solid oak.",
        "price": "49.99",
        "stock_quantity": 5,
        "category": category.id,
        "condition": "new",
        "brand": "Atelier Nord",
        "tags": ["oak", "chair"],
        "image_data": [image_item(filename="a.png", is_primary=True, order=0)],
    }
    created = client.post(URL, body, format="json")
    assert created.status_code == 201
    slug = created.json()["slug"]
    assert slug == "oak-chair"

    mine = client.get(f"{URL}my_products/?page=1&page_size=10").json()
    assert [item["slug"] for item in mine["results"]] == [slug]

    public = api_client.get(f"{URL}{slug}/").json()
    url = public["images"][0]["url"]
    assert url.startswith("http")
    loaded = requests.get(url, timeout=5)
    assert loaded.status_code == 200 and loaded.content[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.django_db
def test_F15_seller_edits_and_deletes_a_product(auth_client, api_client):
    seller = SellerFactory()
    client = auth_client(seller)
    body = {
        "name": "Oak Chair",
        "price": "49.99",
        "stock_quantity": 5,
        "category": CategoryFactory().id,
        "tags": ["oak", "chair"],
        "image_data": [image_item(is_primary=True)],
    }
    slug = client.post(URL, body, format="json").json()["slug"]

    edit_page = client.get(f"{URL}{slug}/").json()
    assert edit_page["category"]["id"] == body["category"]
    assert edit_page["tags"] == ["oak", "chair"] and len(edit_page["images"]) == 1
    assert edit_page["has_ar_model"] is False

    other = auth_client(SellerFactory())
    assert other.patch(f"{URL}{slug}/", {"price": "1.00"}, format="json").status_code == 403
    assert other.delete(f"{URL}{slug}/").status_code == 403

    patched = client.patch(
        f"{URL}{slug}/",
        {**body, "price": "59.99", "image_data": [image_item(filename="b.png")]},
        format="json",
    )
    assert patched.status_code == 200
    assert patched.json()["price"] == "59.99" and len(patched.json()["images"]) == 2

    listed = client.get(f"{URL}my_products/?page=1&page_size=10").json()
    assert [(item["slug"], item["price"]) for item in listed["results"]] == [(slug, "59.99")]

    assert client.delete(f"{URL}{slug}/").status_code == 204
    assert client.get(f"{URL}my_products/?page=1&page_size=10").json()["count"] == 0
    assert api_client.get(f"{URL}{slug}/").status_code == 404


@pytest.mark.django_db
def test_F21_write_edit_and_delete_a_review(auth_client, api_client):
    product = ProductFactory()
    buyer = UserFactory()
    received_order_item(buyer=buyer, product=product, status="shipped")
    client = auth_client(buyer)
    body = {"product_id": product.id, "rating": 5, "title": "Great", "comment": "Exactly as described."}

    created = client.post(f"{URL}{product.slug}/reviews/", body, format="json")
    assert created.status_code == 201
    review = created.json()
    assert (review["rating"], review["reviewer"]["username"]) == (5, buyer.username)

    duplicate = client.post(f"{URL}{product.slug}/reviews/", body, format="json")
    assert duplicate.status_code == 400 and duplicate.json()["detail"]

    edited = client.patch(
        f"/api/marketplace/reviews/{review['id']}/", {**body, "rating": 4, "title": "Good"}, format="json"
    )
    assert edited.status_code == 200 and (edited.json()["rating"], edited.json()["title"]) == (4, "Good")

    stranger = auth_client(UserFactory())
    assert stranger.patch(f"/api/marketplace/reviews/{review['id']}/", body, format="json").status_code == 403
    assert stranger.delete(f"/api/marketplace/reviews/{review['id']}/").status_code == 403

    assert client.delete(f"/api/marketplace/reviews/{review['id']}/").status_code == 204
    assert api_client.get(f"{URL}{product.slug}/reviews/").json()["results"] == []

    assert stranger.post(f"{URL}{product.slug}/reviews/", body, format="json").status_code == 403


@pytest.mark.django_db
def test_seed_demo_is_idempotent(api_client, settings):
    settings.DEBUG = True  # as under `make run` (tests run with DEBUG off; see test_seed_demo_guard.py)
    call_command("seed_demo", products=30, stdout=io.StringIO())
    first = api_client.get(f"{URL}?page_size=50").json()["count"]
    call_command("seed_demo", products=30, stdout=io.StringIO())

    assert first == api_client.get(f"{URL}?page_size=50").json()["count"]
    assert 0 < first <= 30 + len(VARIANT_PRODUCTS)  # the demo products sold in variants come on top
    assert api_client.get(f"{URL}categories/").json()
