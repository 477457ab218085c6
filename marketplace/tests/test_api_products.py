from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from authentication.tests.factories import SellerFactory, StaffFactory, UserFactory
from marketplace.catalog.models import Product, ProductImage
from marketplace.tests.catalog_factories import CategoryFactory, ProductFactory, image_bytes, image_item

pytestmark = pytest.mark.django_db

URL = "/api/marketplace/products/"


def body(category, **extra):
    return {
        "name": "Oak Chair",
        "description": "A sturdy oak chair.",
        "price": "49.99",
        "stock_quantity": 5,
        "category": category.id,
        "condition": "new",
        "brand": "Atelier Nord",
        "tags": ["oak", "chair"],
        **extra,
    }


def test_seller_creates_product_with_base64_image(auth_client):
    seller, category = SellerFactory(), CategoryFactory()
    response = auth_client(seller).post(
        URL, body(category, image_data=[image_item(is_primary=True)]), format="json"
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["slug"] == "oak-chair"
    assert data["price"] == "49.99"
    assert data["stock_quantity"] == 5
    assert data["tags"] == ["oak", "chair"]
    assert data["category"] == {"id": category.id, "name": category.name, "slug": category.slug}
    assert data["seller"]["id"] == str(seller.pk)
    assert data["has_ar_model"] is False and data["ar_model_url"] is None
    [image] = data["images"]
    assert image["is_primary"] is True
    assert image["url"].startswith("http://") and image["url"] == image["image"]
    stored = ProductImage.objects.get()
    assert default_storage.exists(stored.image.name)
    assert default_storage.exists(stored.thumbnail.name)
    assert stored.thumbnail.name.endswith(".webp")


def test_price_and_stock_accept_numbers_and_numeric_strings(auth_client):
    client = auth_client(SellerFactory())
    category = CategoryFactory()
    first = client.post(URL, body(category, price=49.5, stock_quantity="7"), format="json")
    second = client.post(URL, body(category, price="12", stock_quantity=0), format="json")

    assert first.status_code == 201 and second.status_code == 201
    assert (first.json()["price"], first.json()["stock_quantity"]) == ("49.50", 7)
    assert (second.json()["price"], second.json()["is_in_stock"]) == ("12.00", False)
    assert second.json()["slug"] == "oak-chair-2"


def test_multipart_upload_with_uploaded_images(auth_client):
    category = CategoryFactory()
    upload = SimpleUploadedFile("photo.jpg", image_bytes(image_format="JPEG"), content_type="image/jpeg")
    payload = {**body(category), "tags": ["oak", "chair"], "uploaded_images": [upload]}
    response = auth_client(SellerFactory()).post(URL, payload, format="multipart")

    assert response.status_code == 201, response.json()
    assert len(response.json()["images"]) == 1
    assert ProductImage.objects.get().image.name.endswith(".jpg")


@pytest.mark.parametrize(
    "name", ["search", "My Products", "my_products", "categories", "Filters", "Favorites"]
)
def test_slug_never_takes_a_reserved_word(auth_client, name):
    response = auth_client(SellerFactory()).post(URL, body(CategoryFactory(), name=name), format="json")

    assert response.status_code == 201
    assert response.json()["slug"].endswith("-2")


def test_customer_cannot_create_a_product(auth_client):
    response = auth_client(UserFactory()).post(URL, body(CategoryFactory()), format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Product.objects.exists()


def test_anonymous_cannot_create_a_product(api_client):
    response = api_client.post(URL, body(CategoryFactory()), format="json")

    assert response.status_code == 401
    assert not Product.objects.exists()


def test_owner_patch_appends_images_and_changes_price(auth_client):
    seller = SellerFactory()
    client = auth_client(seller)
    created = client.post(
        URL, body(CategoryFactory(), image_data=[image_item(is_primary=True)]), format="json"
    ).json()

    response = client.patch(
        f"{URL}{created['slug']}/",
        {"price": "59.99", "image_data": [image_item(filename="b.png", color=(10, 20, 30))]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["price"] == "59.99"
    assert Product.objects.get(slug=created["slug"]).price == Decimal("59.99")
    assert len(data["images"]) == 2
    assert [image["is_primary"] for image in data["images"]] == [True, False]
    assert data["images"][0]["id"] == created["images"][0]["id"]
    assert data["tags"] == ["oak", "chair"]


def test_patch_by_another_seller_is_forbidden_and_changes_nothing(auth_client):
    product = ProductFactory(price=Decimal("10.00"))
    response = auth_client(SellerFactory()).patch(f"{URL}{product.slug}/", {"price": "1.00"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_product_owner"
    product.refresh_from_db()
    assert product.price == Decimal("10.00")


def test_staff_can_edit_any_product(auth_client):
    product = ProductFactory()
    response = auth_client(StaffFactory()).patch(
        f"{URL}{product.slug}/", {"stock_quantity": "9"}, format="json"
    )

    assert response.status_code == 200
    product.refresh_from_db()
    assert product.stock_quantity == 9


def test_patch_unknown_slug_is_404(auth_client):
    response = auth_client(SellerFactory()).patch(f"{URL}nope/", {"price": "1.00"}, format="json")

    assert response.status_code == 404


def test_delete_is_soft_and_hides_the_product_everywhere(auth_client, api_client):
    product = ProductFactory()
    client = auth_client(product.seller)

    response = client.delete(f"{URL}{product.slug}/")

    assert response.status_code == 204
    product.refresh_from_db()
    assert product.deleted_at is not None and product.is_active is False
    assert api_client.get(f"{URL}{product.slug}/").status_code == 404
    assert client.get(f"{URL}{product.slug}/").status_code == 404
    assert client.get(f"{URL}my_products/").json()["count"] == 0
    assert api_client.get(URL).json()["count"] == 0
    assert api_client.get(f"{URL}search/?q=walnut").json()["count"] == 0
    assert client.delete(f"{URL}{product.slug}/").status_code == 404


def test_delete_by_non_owner_is_forbidden(auth_client):
    product = ProductFactory()
    response = auth_client(SellerFactory()).delete(f"{URL}{product.slug}/")

    assert response.status_code == 403
    product.refresh_from_db()
    assert product.deleted_at is None


def test_my_products_lists_only_the_callers_products(auth_client):
    seller = SellerFactory()
    mine = ProductFactory(seller=seller, is_active=False)
    ProductFactory()
    response = auth_client(seller).get(f"{URL}my_products/?page=1&page_size=10")

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1 and data["page_size"] == 10
    assert data["results"][0]["id"] == str(mine.id)
    assert data["results"][0]["is_active"] is False
    assert data["results"][0]["images"] == []


def test_my_products_is_for_sellers_only(auth_client):
    response = auth_client(UserFactory()).get(f"{URL}my_products/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_inactive_product_is_visible_to_its_seller_only(auth_client, api_client):
    product = ProductFactory(is_active=False)

    assert api_client.get(f"{URL}{product.slug}/").status_code == 404
    assert auth_client(product.seller).get(f"{URL}{product.slug}/").status_code == 200


def test_category_rename_reindexes_its_products():
    from marketplace.catalog.categories.services import category_products_reindex

    category = CategoryFactory(name="Chairs")
    product = ProductFactory(category=category)
    category.name = "Seating"
    category.save()

    assert category_products_reindex(category=category) == 1
    product.refresh_from_db()
    assert "Seating" in product.search_document and "Chairs" not in product.search_document


@pytest.mark.parametrize("model", ["category", "product", "review", "favorite", "productdailyactivity"])
def test_admin_pages_render(client, model):
    staff = StaffFactory(is_superuser=True)
    ProductFactory()
    client.force_login(staff)

    assert client.get(f"/admin/marketplace/{model}/").status_code == 200
    assert client.get(f"/admin/marketplace/{model}/add/").status_code == 200
