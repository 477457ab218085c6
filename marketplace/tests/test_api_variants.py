"""Variants in the catalogue (issue 15) through the real URLs: E48/E49 write options and variants
and keep the product's "from" price and total stock in step; E26 shows the active variants with
their availability and photos; E22/E23 show the product once with ``has_variants`` and
``price_from``; search and filters know the option values; photos per variant; bad input is a
clear 400 that writes nothing; the seller's GDPR export carries the variants."""

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from authentication.tests.conftest import emails_to
from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.catalog.models import Product, ProductAttribute, ProductImage, ProductOption, ProductVariant
from marketplace.tests.catalog_factories import (
    CategoryFactory,
    ProductFactory,
    image_item,
    received_order_item,
)

pytestmark = pytest.mark.django_db

URL = "/api/marketplace/products/"
OPTIONS = [{"name": "wood", "values": ["oak", "walnut"]}, {"name": "size", "values": ["120", "160"]}]


def variant(sku, wood, size, price=None, stock=0, **extra):
    return {
        "sku": sku,
        "options": {"wood": wood, "size": size},
        **({"price": price} if price is not None else {}),
        "stock_quantity": stock,
        **extra,
    }


TABLE_VARIANTS = [
    variant("Oak-120", "oak", "120", "900.00", 2),
    variant("Walnut-160", "walnut", "160", "1200.00", 1),
]


def table_body(**extra):
    return {
        "name": "Extendable Dining Table",
        "description": "Solid wood, two lengths.",
        "price": "950.00",
        "stock_quantity": 40,
        "category": CategoryFactory().id,
        "materials": "Oak",
        "options": OPTIONS,
        "variants": TABLE_VARIANTS,
        **extra,
    }


@pytest.fixture
def seller():
    return SellerFactory()


@pytest.fixture
def client(auth_client, seller):
    return auth_client(seller)


@pytest.fixture
def table(client):
    response = client.post(URL, table_body(), format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def page(api_client, slug):
    response = api_client.get(f"{URL}{slug}/")
    assert response.status_code == 200, response.content
    return response.json()


def test_e48_creates_options_and_variants_and_the_product_follows_them(table):
    assert (table["has_variants"], table["price"], table["price_from"]) == (True, "900.00", "900.00")
    assert (table["stock_quantity"], table["is_in_stock"]) == (3, True)  # 2 + 1, not the 40 sent
    assert table["options"] == OPTIONS
    oak, walnut = table["variants"]
    assert (oak["sku"], oak["options"], oak["price"], oak["stock_quantity"], oak["is_in_stock"]) == (
        "Oak-120",
        {"wood": "oak", "size": "120"},
        "900.00",
        2,
        True,
    )
    assert (walnut["price"], walnut["original_price"], walnut["weight"], walnut["images"]) == (
        "1200.00",
        None,
        None,
        [],
    )
    assert isinstance(oak["id"], str)

    product = Product.objects.get(slug=table["slug"])
    assert (product.price, product.stock_quantity, product.has_variants) == (Decimal("900.00"), 3, True)
    keys = list(ProductVariant.objects.filter(product=product).values_list("option_key", flat=True))
    assert keys == ["size=120|wood=oak", "size=160|wood=walnut"]
    assert list(ProductOption.objects.filter(product=product).values_list("name", "values")) == [
        ("wood", ["oak", "walnut"]),
        ("size", ["120", "160"]),
    ]


def test_a_variant_without_a_price_takes_the_products(client):
    body = table_body(
        variants=[variant("Oak-120", "oak", "120", stock=1), variant("Oak-160", "oak", "160", "999.00")]
    )
    response = client.post(URL, body, format="json")

    assert response.status_code == 201, response.json()
    assert [v["price"] for v in response.json()["variants"]] == ["950.00", "999.00"]
    assert response.json()["price_from"] == "950.00"


def test_the_list_shows_the_product_once_from_its_lowest_price(api_client, table):
    ProductFactory(name="Plain Stool", slug="plain-stool", price=Decimal("80.00"))
    results = {item["slug"]: item for item in api_client.get(URL).json()["results"]}

    assert (results[table["slug"]]["has_variants"], results[table["slug"]]["price_from"]) == (True, "900.00")
    assert results[table["slug"]]["stock_quantity"] == 3
    assert (results["plain-stool"]["has_variants"], results["plain-stool"]["price_from"]) == (False, "80.00")


def test_e49_replaces_the_set_by_sku_and_keeps_ordered_variants_deactivated(client, api_client, table):
    product = Product.objects.get(slug=table["slug"])
    ordered = ProductVariant.objects.get(sku="Walnut-160")
    item = received_order_item(buyer=UserFactory(), product=product)
    item.variant = ordered
    item.save(update_fields=["variant"])
    oak_id = ProductVariant.objects.get(sku="Oak-120").pk

    response = client.patch(
        f"{URL}{table['slug']}/",
        {
            "variants": [
                {"sku": "Oak-120", "options": {"wood": "oak", "size": "120"}, "stock_quantity": 5},
                variant("Oak-160", "oak", "160", "1100.00", 4, width_cm="160"),
                variant("Walnut-120", "walnut", "120", "850.00", 0),
            ]
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    data = response.json()
    assert [v["sku"] for v in data["variants"]] == ["Oak-120", "Oak-160", "Walnut-120"]
    assert data["variants"][0]["price"] == "900.00"  # not given: kept
    assert data["variants"][0]["id"] == str(oak_id)  # matched by SKU: the same row
    assert data["variants"][1]["width_cm"] == "160.0"
    # the cheapest active variant is out of stock but still the "from" price; stock is the sum
    assert (data["price_from"], data["stock_quantity"]) == ("850.00", 9)
    ordered.refresh_from_db()
    assert ordered.is_active is False  # an order item points at it: kept, not offered
    assert ProductVariant.objects.filter(product=product).count() == 4
    assert page(api_client, table["slug"])["variants"] == data["variants"]


def test_e49_variants_empty_removes_them_and_the_products_own_fields_apply(client, table):
    response = client.patch(
        f"{URL}{table['slug']}/", {"variants": [], "price": "700.00", "stock_quantity": 6}, format="json"
    )

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["has_variants"], data["variants"], data["options"]) == (False, [], [])
    assert (data["price"], data["price_from"], data["stock_quantity"]) == ("700.00", "700.00", 6)
    assert not ProductVariant.objects.exists() and not ProductOption.objects.exists()


def test_e49_without_variants_keeps_price_and_stock_theirs(client, table):
    """The web client's edit form (which knows no variants) sends price and stock: they stay the
    variants' while the product has variants; the other fields change."""
    response = client.patch(
        f"{URL}{table['slug']}/",
        {"name": "Long Table", "price": "10.00", "stock_quantity": 99},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["name"], response.json()["price"], response.json()["stock_quantity"]) == (
        "Long Table",
        "900.00",
        3,
    )
    assert len(response.json()["variants"]) == 2


def test_e49_only_variants_uses_the_products_options(client, table):
    response = client.patch(
        f"{URL}{table['slug']}/", {"variants": [variant("Oak-160", "oak", "160", "990.00", 1)]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["options"] == OPTIONS
    assert [v["sku"] for v in response.json()["variants"]] == ["Oak-160"]


def _swap_combinations(table):
    oak, walnut = table["variants"]
    return [
        {"sku": oak["sku"], "options": walnut["options"]},
        {"sku": walnut["sku"], "options": oak["options"]},
    ]


def test_two_variants_may_swap_combinations(client, table):
    response = client.patch(f"{URL}{table['slug']}/", {"variants": _swap_combinations(table)}, format="json")

    assert response.status_code == 200, response.json()
    assert {v["sku"]: v["options"]["wood"] for v in response.json()["variants"]} == {
        "Oak-120": "walnut",
        "Walnut-160": "oak",
    }


BAD_WRITES = {
    "duplicate combination": {
        "variants": [variant("A", "oak", "120", "1.00"), variant("B", "oak", "120", "2.00")]
    },
    "value not in options": {"variants": [variant("A", "teak", "120", "1.00")]},
    "option names not the product's": {
        "variants": [{"sku": "A", "options": {"wood": "oak"}, "price": "1.00"}]
    },
    "duplicate sku": {"variants": [variant("A", "oak", "120", "1.00"), variant("a", "oak", "160", "2.00")]},
    "negative dimensions": {"variants": [variant("A", "oak", "120", "1.00", width_cm="-1")]},
    "negative weight": {"variants": [variant("A", "oak", "120", "1.00", weight="-0.5")]},
    "zero price": {"variants": [variant("A", "oak", "120", "0.00")]},
    "negative stock": {"variants": [variant("A", "oak", "120", "1.00", stock=-1)]},
    "options without variants": {"variants": None},
    "variants without options": {"options": [], "variants": [{"sku": "A", "options": {}, "price": "1.00"}]},
    "duplicate option": {"options": [OPTIONS[0], OPTIONS[0]]},
    "duplicate option value": {"options": [{"name": "wood", "values": ["oak", "oak"]}]},
    "too many decimals": {"variants": [variant("A", "oak", "120", "1.001")]},
}


def _bad(case):
    body = table_body(**BAD_WRITES[case])
    return {key: value for key, value in body.items() if value is not None}


@pytest.mark.parametrize("case", list(BAD_WRITES))
def test_bad_variants_on_create_are_400_and_write_nothing(client, case):
    response = client.post(URL, _bad(case), format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "invalid"
    assert set(response.json()) & {"variants", "options"}, response.json()
    assert not Product.objects.exists() and not ProductVariant.objects.exists()


@pytest.mark.parametrize("case", list(BAD_WRITES))
def test_bad_variants_on_update_are_400_and_change_nothing(client, api_client, table, case):
    body = {key: value for key, value in _bad(case).items() if key in ("options", "variants")}
    body["name"] = "Renamed"
    before = page(api_client, table["slug"])

    response = client.patch(f"{URL}{table['slug']}/", body, format="json")

    assert response.status_code == 400, response.json()
    after = page(api_client, table["slug"])
    assert (after["name"], after["variants"], after["options"]) == (
        before["name"],
        before["variants"],
        OPTIONS,
    )
    assert ProductVariant.objects.count() == 2


def test_variants_of_another_sellers_product_are_refused(auth_client, api_client, table):
    response = auth_client(SellerFactory()).patch(
        f"{URL}{table['slug']}/", {"variants": [variant("X", "oak", "120", "1.00", 9)]}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "not_product_owner"
    assert [v["sku"] for v in page(api_client, table["slug"])["variants"]] == ["Oak-120", "Walnut-160"]


def test_a_deactivated_variant_leaves_the_page_and_the_stock(client, api_client, table):
    variants = [dict(TABLE_VARIANTS[0]), {**TABLE_VARIANTS[1], "is_active": False}]
    response = client.patch(f"{URL}{table['slug']}/", {"variants": variants}, format="json")

    assert response.status_code == 200, response.json()
    shown = page(api_client, table["slug"])
    assert [v["sku"] for v in shown["variants"]] == ["Oak-120"]
    assert (shown["stock_quantity"], shown["price_from"]) == (2, "900.00")


def test_variant_photos_upload_and_show_under_their_variant(client, api_client, table):
    walnut = table["variants"][1]
    base = f"{URL}{table['slug']}/images/"
    shared = client.post(base, {"image_data": [image_item(is_primary=True)]}, format="json")
    own = client.post(
        base, {"image_data": [image_item(filename="w.png")], "variant_id": walnut["id"]}, format="json"
    )

    assert shared.status_code == 201 and own.status_code == 201, own.json()
    assert [image["variant_id"] for image in own.json()] == [None, walnut["id"]]
    shown = page(api_client, table["slug"])
    assert [image["variant_id"] for image in shown["images"]] == [None, walnut["id"]]  # every photo
    oak_images, walnut_images = (v["images"] for v in shown["variants"])
    assert oak_images == [] and [image["id"] for image in walnut_images] == [own.json()[1]["id"]]
    assert ProductImage.objects.get(pk=int(own.json()[1]["id"])).variant_id == int(walnut["id"])


def test_a_photo_for_a_variant_of_another_product_is_400_and_stores_nothing(client, table):
    other = client.post(URL, table_body(name="Other Table"), format="json").json()
    response = client.post(
        f"{URL}{table['slug']}/images/",
        {"image_data": [image_item()], "variant_id": other["variants"][0]["id"]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "variant_not_found"
    assert not ProductImage.objects.exists()


def test_removing_a_variant_keeps_its_photos_for_the_product(client, api_client, table):
    walnut = table["variants"][1]
    client.post(
        f"{URL}{table['slug']}/images/",
        {"image_data": [image_item()], "variant_id": walnut["id"]},
        format="json",
    )

    client.patch(f"{URL}{table['slug']}/", {"variants": [TABLE_VARIANTS[0]]}, format="json")

    [image] = page(api_client, table["slug"])["images"]
    assert image["variant_id"] is None


def _queries(call):
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_page_and_list_query_counts_stay_constant(
    client, api_client, table, settings, django_assert_num_queries
):
    settings.CATALOG_RESPONSE_CACHE_SECONDS = 0
    plain = ProductFactory()
    small = _queries(lambda: api_client.get(f"{URL}{table['slug']}/"))
    many = [
        variant(f"S-{wood}-{size}", wood, size, "10.00", 1)
        for wood in ("oak", "walnut")
        for size in ("120", "160")
    ]
    written = client.patch(f"{URL}{table['slug']}/", {"variants": many}, format="json").json()
    for item in written["variants"]:
        photo = {"image_data": [image_item()], "variant_id": item["id"]}
        assert client.post(f"{URL}{table['slug']}/images/", photo, format="json").status_code == 201

    assert _queries(lambda: api_client.get(f"{URL}{table['slug']}/")) == small
    # one more than a product without variants (its options and variants), whatever their number
    assert small == _queries(lambda: api_client.get(f"{URL}{plain.slug}/")) + 1
    with django_assert_num_queries(2):  # count, page: the variant columns are the product's
        api_client.get(URL, {"page_size": 50})


def test_the_cached_list_shows_a_variant_price_change_at_once(client, api_client, table, settings):
    settings.CATALOG_RESPONSE_CACHE_SECONDS = 60
    assert api_client.get(URL).json()["results"][0]["price_from"] == "900.00"

    client.patch(
        f"{URL}{table['slug']}/",
        {"variants": [{**TABLE_VARIANTS[0], "price": "800.00"}, TABLE_VARIANTS[1]]},
        format="json",
    )

    assert api_client.get(URL).json()["results"][0]["price_from"] == "800.00"


@pytest.mark.django_db(transaction=True)  # InnoDB indexes FULLTEXT rows at commit
def test_search_and_filters_know_the_option_values(api_client, client):
    table = client.post(URL, table_body(materials="Solid wood"), format="json").json()
    ProductFactory(name="Birch Stool", slug="birch-stool", materials="Birch", tags=["stool"], description="")

    found = api_client.get(f"{URL}search/", {"q": "walnut", "ordering": "relevance"}).json()
    assert [item["slug"] for item in found["results"]] == [table["slug"]]
    by_material = api_client.get(URL, {"material": "walnut"}).json()
    assert [item["slug"] for item in by_material["results"]] == [table["slug"]]
    product = Product.objects.get(slug=table["slug"])
    assert set(ProductAttribute.objects.filter(product=product).values_list("kind", "value")) == {
        ("material", "solid-wood"),
        ("material", "oak"),
        ("material", "walnut"),
    }

    client.patch(f"{URL}{table['slug']}/", {"variants": [TABLE_VARIANTS[0]]}, format="json")  # walnut gone
    assert api_client.get(URL, {"material": "walnut"}).json()["count"] == 0
    assert api_client.get(f"{URL}search/", {"q": "walnut"}).json()["count"] == 0


def test_colour_options_are_colour_attributes(client):
    body = table_body(
        options=[{"name": "Colour", "values": ["White", "black"]}],
        variants=[{"sku": "W", "options": {"colour": "White"}, "price": "10.00", "stock_quantity": 1}],
        colors=["natural"],
    )
    response = client.post(URL, body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["options"] == [{"name": "colour", "values": ["White", "black"]}]
    colors = ProductAttribute.objects.filter(kind="color").values_list("value", flat=True)
    assert sorted(colors) == ["natural", "white"]  # black is offered by no variant


def test_the_sellers_gdpr_export_carries_the_variants(client, seller, table, settings):
    assert client.get("/api/auth/profile/export/").status_code == 200
    link = re.search(
        rf"({re.escape(settings.PUBLIC_BASE_URL)}/api/files/private/\S+)", emails_to(seller.email)[-1].body
    )
    download = Client().get(link.group(1).removeprefix(settings.PUBLIC_BASE_URL))
    archive = json.loads(b"".join(download.streaming_content))

    [product] = archive["products"]
    assert (product["has_variants"], product["options"]) == (True, OPTIONS)
    assert [(v["sku"], v["price"], v["stock_quantity"], v["is_active"]) for v in product["variants"]] == [
        ("Oak-120", "900.00", 2, True),
        ("Walnut-160", "1200.00", 1, True),
    ]


def test_the_page_and_list_item_have_exactly_the_schemas_fields(api_client, table):
    from marketplace.catalog.products.serializers import (
        ProductDetailSerializer,
        ProductListItemSerializer,
        ProductVariantSerializer,
    )

    def declared(serializer):  # the display_* fields come only with a display currency
        return {name for name in serializer().fields if not name.startswith("display_")}

    shown = page(api_client, table["slug"])
    assert set(shown) == declared(ProductDetailSerializer)
    assert all(set(item) == declared(ProductVariantSerializer) for item in shown["variants"])
    [item] = api_client.get(URL).json()["results"]
    assert set(item) == declared(ProductListItemSerializer)


def test_staff_editing_a_product_with_variants_in_the_admin_keeps_price_and_stock_theirs(
    client, api_client, table
):
    from authentication.tests.factories import StaffFactory
    from designiaBackend.tests.test_admin_uploads import change_form

    admin = Client()
    admin.force_login(StaffFactory(is_superuser=True))
    product = Product.objects.get(slug=table["slug"])
    url = f"/admin/marketplace/product/{product.pk}/change/"
    form = admin.get(url).content.decode()
    assert "Oak-120" in form and "Walnut-160" in form  # the variants are shown on the product
    data = change_form(admin, url, "product_form")
    data.update({"name": "Staff Table", "price": "1.00", "stock_quantity": "50"})

    response = admin.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    shown = page(api_client, table["slug"])
    assert (shown["name"], shown["price"], shown["stock_quantity"]) == ("Staff Table", "900.00", 3)
    assert [v["sku"] for v in shown["variants"]] == ["Oak-120", "Walnut-160"]


@pytest.mark.django_db(transaction=True)
def test_the_demo_catalogue_sells_a_table_as_oak_120_and_walnut_160(api_client, demo_catalogue):
    table = page(api_client, "demo-variant-dining-table")

    assert (table["has_variants"], table["price_from"], table["stock_quantity"]) == (True, "900.00", 3)
    assert [(v["sku"], v["options"], v["price"], v["stock_quantity"]) for v in table["variants"]] == [
        ("Oak-120", {"wood": "oak", "size": "120"}, "900.00", 2),
        ("Walnut-160", {"wood": "walnut", "size": "160"}, "1200.00", 1),
    ]
    assert table["options"] == OPTIONS
    assert [len(v["images"]) for v in table["variants"]] == [0, 1]  # Walnut-160 has its own photo
    listed = api_client.get(f"{URL}search/", {"q": "extendable dining table", "ordering": "relevance"}).json()
    assert [item["slug"] for item in listed["results"]].count("demo-variant-dining-table") == 1
    assert sum(p.has_variants for p in demo_catalogue.values()) == 3


def test_variant_prices_in_the_display_currency(client, api_client):
    from marketplace.tests.test_display_currency import store, yen

    store()
    table = client.post(URL, table_body(currency="EUR"), format="json").json()

    shown = api_client.get(f"{URL}{table['slug']}/", {"currency": "JPY"}).json()

    assert (shown["price"], shown["display_price"]) == ("900.00", yen("900.00"))
    assert [(v["price"], v["display_price"], v["display_currency"]) for v in shown["variants"]] == [
        ("900.00", yen("900.00"), "JPY"),
        ("1200.00", yen("1200.00"), "JPY"),
    ]
    assert "display_price" not in page(api_client, table["slug"])["variants"][0]
