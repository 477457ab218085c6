from decimal import Decimal

import pytest
from django.db import connection

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.catalog.images.services import product_galleries_refresh
from marketplace.catalog.models import ProductImage
from marketplace.tests.catalog_factories import CategoryFactory, ProductFactory, image_bytes

URL = "/api/marketplace/products/"


def add_image(product, primary=True):
    from django.core.files.base import ContentFile

    image = ProductImage(product=product, is_primary=primary)
    image.image.save("p.png", ContentFile(image_bytes()), save=False)
    image.thumbnail.save("p-thumb.webp", ContentFile(image_bytes()), save=False)
    image.save()
    product_galleries_refresh([product.pk])
    return image


@pytest.mark.django_db
def test_list_shape_and_pagination(api_client):
    products = [ProductFactory() for _ in range(13)]
    add_image(products[-1])

    first = api_client.get(f"{URL}?page=1&page_size=12").json()
    second = api_client.get(f"{URL}?page=2&page_size=12").json()

    assert {k: first[k] for k in ("count", "page", "page_size", "num_pages", "has_next", "has_previous")} == {
        "count": 13,
        "page": 1,
        "page_size": 12,
        "num_pages": 2,
        "has_next": True,
        "has_previous": False,
    }
    assert (second["page"], second["has_next"], second["has_previous"], len(second["results"])) == (
        2,
        False,
        True,
        1,
    )
    top = first["results"][0]
    assert top["id"] == str(products[-1].id)
    assert top["primary_image"].startswith("http://") and top["primary_image"].endswith(".png")
    assert top["price"] == "120.00" and top["average_rating"] == "0.00" and top["is_in_stock"] is True
    assert second["results"][0]["id"] == str(products[0].id)
    assert second["results"][0]["primary_image"] is None


@pytest.mark.django_db
def test_seller_products_read_images_from_the_gallery(auth_client, django_assert_max_num_queries):
    seller = SellerFactory()
    for _ in range(4):
        product = ProductFactory(seller=seller)
        add_image(product, primary=True)
        add_image(product, primary=False)
    client = auth_client(seller)

    with django_assert_max_num_queries(3):  # the caller (JWT), count, page
        body = client.get(f"{URL}my_products/?page_size=10").json()

    assert [len(item["images"]) for item in body["results"]] == [2, 2, 2, 2]
    assert all(item["images"][0]["is_primary"] and item["primary_image"] for item in body["results"])
    assert all(item["images"][0]["url"] == item["primary_image"] for item in body["results"])


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", [1, 50])
def test_list_and_search_query_counts_do_not_grow(
    api_client, auth_client, django_assert_max_num_queries, page_size
):
    seller, category = SellerFactory(), CategoryFactory()
    for index in range(50):
        product = ProductFactory(name=f"Oak chair {index}", seller=seller, category=category)
        add_image(product)
    client = auth_client(UserFactory())
    with django_assert_max_num_queries(5):
        assert api_client.get(f"{URL}?page_size={page_size}").status_code == 200
    with django_assert_max_num_queries(5):
        response = client.get(
            f"{URL}search/?q=oak&category={category.slug}&price_min=10&ordering=relevance&page_size={page_size}"
        )
        assert response.status_code == 200


@pytest.mark.django_db
def test_detail_is_one_query_with_images_seller_rating_and_category(
    auth_client, api_client, django_assert_num_queries
):
    product = ProductFactory(tags=["oak", "nordic"], dimensions={"width": 40, "unit": "cm"})
    primary = add_image(product)
    second = add_image(product, primary=False)
    user = UserFactory()
    client = auth_client(user)
    with django_assert_num_queries(1):
        body = api_client.get(f"{URL}{product.slug}/").json()
    with django_assert_num_queries(3):  # the caller (JWT), the page, the caller's favorite
        assert client.get(f"{URL}{product.slug}/").json()["is_favorited"] is False

    assert [image["id"] for image in body["images"]] == [str(primary.id), str(second.id)]
    assert [image["is_primary"] for image in body["images"]] == [True, False]
    assert body["primary_image"] == body["images"][0]["url"]
    assert body["seller"]["username"] == product.seller.username
    assert body["seller"]["seller_rating"] == "0.00"
    assert body["category"] == {
        "id": product.category.id,
        "name": product.category.name,
        "slug": product.category.slug,
    }
    assert (body["tags"], body["dimensions"]) == (["oak", "nordic"], {"width": 40, "unit": "cm"})
    assert body["has_ar_model"] is False and body["ar_model_url"] is None


@pytest.mark.django_db
def test_detail_is_never_stale(api_client):
    """Stock and counters change without a catalogue write (checkout, the view flush): read afresh."""
    product = ProductFactory(stock_quantity=2)
    assert api_client.get(f"{URL}{product.slug}/").json()["stock_quantity"] == 2
    type(product).objects.filter(pk=product.pk).update(stock_quantity=0, favorite_count=7)

    body = api_client.get(f"{URL}{product.slug}/").json()
    assert (body["stock_quantity"], body["is_in_stock"], body["favorite_count"]) == (0, False, 7)


@pytest.mark.django_db
def test_filters_combine(api_client):
    parent = CategoryFactory(slug="seating")
    chairs = CategoryFactory(slug="chairs", parent=parent)
    tables = CategoryFactory(slug="tables")
    match = ProductFactory(
        category=chairs, price=Decimal("150"), condition="like_new", average_rating=Decimal("4.5")
    )
    ProductFactory(category=chairs, price=Decimal("150"), condition="like_new", stock_quantity=0)
    ProductFactory(category=chairs, price=Decimal("50"), condition="new", average_rating=Decimal("5"))
    ProductFactory(category=tables, price=Decimal("150"), condition="poor", average_rating=Decimal("4.5"))
    ProductFactory(category=chairs, price=Decimal("150"), condition="new", average_rating=Decimal("3.9"))

    response = api_client.get(
        f"{URL}search/?category=seating&category=tables&price_min=100&price_max=500"
        "&condition=new&condition=like_new&min_rating=4&in_stock=true"
    )

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [str(match.id)]


@pytest.mark.django_db
def test_seller_brand_and_featured_filters(api_client):
    seller = SellerFactory()
    wanted = ProductFactory(seller=seller, brand="Hay", is_featured=True)
    ProductFactory(seller=seller, brand="Muuto", is_featured=True)
    ProductFactory(brand="Hay", is_featured=True)

    response = api_client.get(f"{URL}?seller={seller.pk}&brand=hay&is_featured=true")

    assert [p["id"] for p in response.json()["results"]] == [str(wanted.id)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ordering, expected",
    [
        ("price", ["b", "c", "a"]),
        ("-price", ["a", "c", "b"]),
        ("-created_at", ["c", "b", "a"]),
        ("created_at", ["a", "b", "c"]),
        ("-average_rating", ["b", "a", "c"]),
        ("-view_count", ["c", "a", "b"]),
    ],
)
def test_orderings(api_client, ordering, expected):
    ProductFactory(name="a", slug="a", price=Decimal("300"), average_rating=Decimal("4"), view_count=5)
    ProductFactory(name="b", slug="b", price=Decimal("10"), average_rating=Decimal("5"), view_count=1)
    ProductFactory(name="c", slug="c", price=Decimal("20"), average_rating=Decimal("1"), view_count=9)

    response = api_client.get(f"{URL}search/?ordering={ordering}")

    assert [p["slug"] for p in response.json()["results"]] == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "price_min=abc",
        "condition=broken",
        "min_rating=9",
        "ordering=sort_price",
        "in_stock=maybe",
        "seller=42",
    ],
)
def test_invalid_filters_are_400(api_client, query):
    response = api_client.get(f"{URL}search/?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db(transaction=True)
def test_text_search_matches_name_brand_tags_and_category_with_relevance(api_client):
    # transaction=True: InnoDB indexes FULLTEXT rows at commit.
    sofas = CategoryFactory(name="Sofas", slug="sofas")
    by_name = ProductFactory(name="Velvet Chair", description="", tags=[], brand="")
    by_tag = ProductFactory(name="Seat", description="", tags=["chair"], brand="")
    by_category = ProductFactory(name="Couch", description="", tags=[], brand="", category=sofas)
    by_brand = ProductFactory(name="Lamp", description="", tags=[], brand="Chairmaker")
    ProductFactory(name="Table", description="", tags=["oak"], brand="")

    def found(query):
        response = api_client.get(f"{URL}search/?q={query}&ordering=relevance")
        assert response.status_code == 200
        return {p["id"] for p in response.json()["results"]}

    assert found("chair") == {str(by_name.id), str(by_tag.id), str(by_brand.id)}
    assert found("sofas") == {str(by_category.id)}
    assert found("velvet chair") == {str(by_name.id)}
    assert found("ch") >= {str(by_name.id), str(by_tag.id), str(by_category.id), str(by_brand.id)}
    assert found("nothing-like-this") == set()
    if connection.vendor == "mysql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW INDEX FROM marketplace_product WHERE Key_name = 'product_search_fulltext'")
            assert cursor.fetchone() is not None


@pytest.mark.django_db
def test_categories_are_a_plain_array_with_counts_including_children(api_client):
    parent = CategoryFactory(name="Seating", slug="seating")
    chairs = CategoryFactory(name="Chairs", slug="chairs", parent=parent)
    CategoryFactory(name="Hidden", slug="hidden", is_active=False)
    ProductFactory(category=parent)
    ProductFactory(category=chairs)
    ProductFactory(category=chairs, stock_quantity=0)
    ProductFactory(category=chairs, is_active=False)

    response = api_client.get(f"{URL}categories/")

    assert response.status_code == 200
    rows = {row["slug"]: row for row in response.json()}
    assert rows["seating"]["product_count"] == 2
    assert rows["chairs"]["product_count"] == 1 and rows["chairs"]["parent"] == parent.id
    assert isinstance(rows["chairs"]["id"], int)
    assert "hidden" not in rows


@pytest.mark.django_db
def test_category_counts_follow_product_writes(api_client, auth_client):
    category = CategoryFactory(slug="desks")
    assert {r["slug"]: r["product_count"] for r in api_client.get(f"{URL}categories/").json()}["desks"] == 0
    seller = SellerFactory()
    body = {"name": "Desk", "price": "10", "stock_quantity": 1, "category": category.id}
    created = auth_client(seller).post(URL, body, format="json").json()
    assert {r["slug"]: r["product_count"] for r in api_client.get(f"{URL}categories/").json()}["desks"] == 1
    auth_client(seller).delete(f"{URL}{created['slug']}/")
    assert {r["slug"]: r["product_count"] for r in api_client.get(f"{URL}categories/").json()}["desks"] == 0


@pytest.mark.django_db
def test_filters_facets(api_client):
    category = CategoryFactory(slug="lamps")
    ProductFactory(category=category, brand="Hay", price=Decimal("20"), condition="new")
    ProductFactory(category=category, brand="Hay", price=Decimal("80"), condition="good")
    ProductFactory(category=category, brand="Muuto", price=Decimal("50"), condition="new")

    data = api_client.get(f"{URL}filters/").json()

    assert data["price_range"] == {"min": "20.00", "max": "80.00"}
    assert data["brands"] == [{"name": "Hay", "count": 2}, {"name": "Muuto", "count": 1}]
    assert {c["value"]: c["count"] for c in data["conditions"]} == {
        "new": 2,
        "like_new": 0,
        "good": 1,
        "fair": 0,
        "poor": 0,
    }
    assert [c["product_count"] for c in data["categories"] if c["slug"] == "lamps"] == [3]


@pytest.mark.django_db
def test_autocomplete_shape(api_client):
    category = CategoryFactory(name="Armchairs", slug="armchairs")
    product = ProductFactory(
        name="Armchair Lounge", slug="armchair-lounge", category=category, brand="Armstrong"
    )

    response = api_client.get(f"{URL}autocomplete/?q=arm&limit=10")

    assert response.status_code == 200
    suggestions = response.json()["suggestions"]
    assert {
        "id": str(product.id),
        "name": "Armchair Lounge",
        "type": "product",
        "slug": "armchair-lounge",
    } in suggestions
    assert {"id": category.id, "name": "Armchairs", "type": "category", "slug": "armchairs"} in suggestions
    assert {"id": "armstrong", "name": "Armstrong", "type": "brand", "slug": "armstrong"} in suggestions
    assert api_client.get(f"{URL}autocomplete/?q=").json() == {"suggestions": []}


@pytest.mark.django_db
def test_public_reads_are_cached_until_the_catalogue_changes(
    api_client, auth_client, django_assert_num_queries
):
    product = ProductFactory(price=Decimal("10.00"))
    owner = auth_client(product.seller)
    api_client.get(f"{URL}?page_size=12")
    api_client.get(f"{URL}{product.slug}/")
    with django_assert_num_queries(0):
        assert api_client.get(f"{URL}?page_size=12").json()["results"][0]["price"] == "10.00"
    assert api_client.get(f"{URL}{product.slug}/").json()["price"] == "10.00"

    assert owner.patch(f"{URL}{product.slug}/", {"price": "12.00"}, format="json").status_code == 200

    assert api_client.get(f"{URL}?page_size=12").json()["results"][0]["price"] == "12.00"
    assert api_client.get(f"{URL}{product.slug}/").json()["price"] == "12.00"
