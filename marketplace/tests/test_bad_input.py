"""Every bad input of issue 3: a clear 4xx in the error shape; nothing changes in DB or bucket."""

import struct
import zlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.catalog.models import Product, ProductImage
from marketplace.reviews.models import Review
from marketplace.tests.catalog_factories import (
    CategoryFactory,
    ProductFactory,
    data_url,
    image_bytes,
    image_item,
    received_order_item,
)

pytestmark = pytest.mark.django_db

URL = "/api/marketplace/products/"


def bucket_keys(s3):
    return [item["Key"] for item in s3.list_objects_v2(Bucket=s3.bucket).get("Contents", [])]


def decompression_bomb():
    """A valid 1x1 PNG whose header claims 50,000 x 50,000 pixels."""
    png = bytearray(image_bytes(size=(1, 1)))
    ihdr = png.index(b"IHDR")
    png[ihdr + 4 : ihdr + 12] = struct.pack(">II", 50_000, 50_000)
    crc = zlib.crc32(bytes(png[ihdr : ihdr + 17])) & 0xFFFFFFFF
    png[ihdr + 17 : ihdr + 21] = struct.pack(">I", crc)
    return bytes(png)


def product_body(category, **extra):
    return {"name": "Oak Chair", "price": "49.99", "stock_quantity": 5, "category": category.id, **extra}


@pytest.fixture
def seller_client(auth_client):
    return auth_client(SellerFactory())


@pytest.mark.parametrize(
    "image_content, code",
    [
        (
            "data:image/jpeg;base64,"
            + __import__("base64").b64encode(b"just some text, not a picture").decode(),
            "invalid_image",
        ),
        (data_url(decompression_bomb()), "image_too_large"),
        ("data:image/png;base64," + "A" * (28 * 1024 * 1024), "file_too_large"),
        ("data:image/png;base64,%%%not-base64%%%", "invalid_data_url"),
    ],
    ids=["fake-image", "decompression-bomb", "20mb", "not-base64"],
)
def test_bad_base64_images_store_nothing(seller_client, s3_storage, image_content, code):
    good = image_item(is_primary=True)
    bad = {"image_content": image_content, "filename": "evil.jpg"}
    response = seller_client.post(URL, product_body(CategoryFactory(), image_data=[good, bad]), format="json")

    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == code
    assert response.json()["detail"]
    assert not Product.objects.exists() and not ProductImage.objects.exists()
    assert bucket_keys(s3_storage) == []


def test_fake_image_file_upload_is_refused(seller_client, s3_storage):
    fake = SimpleUploadedFile("chair.jpg", b"this is a text file", content_type="image/jpeg")
    payload = {**product_body(CategoryFactory()), "uploaded_images": [fake]}
    response = seller_client.post(URL, payload, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_image"
    assert not Product.objects.exists()
    assert bucket_keys(s3_storage) == []


def test_20_mb_file_upload_is_refused(seller_client, s3_storage):
    big = SimpleUploadedFile(
        "big.png", image_bytes()[:64] + b"\0" * (20 * 1024 * 1024), content_type="image/png"
    )
    payload = {**product_body(CategoryFactory()), "uploaded_images": [big]}
    response = seller_client.post(URL, payload, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "image_too_large"
    assert not Product.objects.exists()
    assert bucket_keys(s3_storage) == []


@pytest.mark.parametrize(
    "override, field",
    [
        ({"price": "-5.00"}, "price"),
        ({"price": 0}, "price"),
        ({"stock_quantity": "five"}, "stock_quantity"),
        ({"stock_quantity": -1}, "stock_quantity"),
        ({"category": 999999}, "category"),
        ({"condition": "broken"}, "condition"),
    ],
)
def test_invalid_fields_are_field_errors(seller_client, override, field):
    response = seller_client.post(URL, {**product_body(CategoryFactory()), **override}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert isinstance(body[field], list) and body[field][0]
    assert "detail" not in body
    assert not Product.objects.exists()


def test_explicit_slug_collision_is_refused(seller_client):
    existing = ProductFactory(slug="oak-chair")
    response = seller_client.post(URL, product_body(CategoryFactory(), slug="oak-chair"), format="json")

    assert response.status_code == 400
    assert response.json()["slug"] == ["This slug is already taken or reserved."]
    assert list(Product.objects.values_list("pk", flat=True)) == [existing.pk]


def test_reserved_explicit_slug_is_refused(seller_client):
    response = seller_client.post(URL, product_body(CategoryFactory(), slug="search"), format="json")

    assert response.status_code == 400
    assert "slug" in response.json()
    assert not Product.objects.exists()


def test_non_owner_edit_with_images_stores_nothing(auth_client, s3_storage):
    product = ProductFactory(price=Decimal("10.00"))
    response = auth_client(SellerFactory()).patch(
        f"{URL}{product.slug}/", {"price": "1.00", "image_data": [image_item()]}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "Only the product's seller can change it."
    product.refresh_from_db()
    assert product.price == Decimal("10.00")
    assert bucket_keys(s3_storage) == []


def review_body(**extra):
    return {"rating": 5, "title": "Lovely", "comment": "Beautiful chair, well made.", **extra}


def test_review_without_purchase_is_403(auth_client):
    product = ProductFactory()
    response = auth_client(UserFactory()).post(f"{URL}{product.slug}/reviews/", review_body(), format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "verified_purchase_required"
    assert not Review.objects.exists()


def test_review_on_a_pending_order_is_403(auth_client):
    product, buyer = ProductFactory(), UserFactory()
    received_order_item(buyer=buyer, product=product, status="payment_confirmed")
    response = auth_client(buyer).post(f"{URL}{product.slug}/reviews/", review_body(), format="json")

    assert response.status_code == 403
    assert not Review.objects.exists()
    product.refresh_from_db()
    assert (product.review_count, product.average_rating) == (0, Decimal("0.00"))


def test_duplicate_review_is_400_with_detail(auth_client):
    product, buyer = ProductFactory(), UserFactory()
    received_order_item(buyer=buyer, product=product)
    client = auth_client(buyer)
    assert client.post(f"{URL}{product.slug}/reviews/", review_body(), format="json").status_code == 201

    response = client.post(f"{URL}{product.slug}/reviews/", review_body(rating=1), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_review"
    assert "already reviewed" in response.json()["detail"]
    assert Review.objects.get().rating == 5
    product.refresh_from_db()
    assert (product.review_count, product.average_rating) == (1, Decimal("5.00"))


@pytest.mark.parametrize("rating", [6, 0, "six"])
def test_rating_out_of_range_is_400(auth_client, rating):
    product, buyer = ProductFactory(), UserFactory()
    received_order_item(buyer=buyer, product=product)
    response = auth_client(buyer).post(
        f"{URL}{product.slug}/reviews/", review_body(rating=rating), format="json"
    )

    assert response.status_code == 400
    assert response.json()["rating"]
    assert not Review.objects.exists()


def test_short_comment_is_400(auth_client):
    product, buyer = ProductFactory(), UserFactory()
    received_order_item(buyer=buyer, product=product)
    response = auth_client(buyer).post(
        f"{URL}{product.slug}/reviews/", review_body(comment="ok"), format="json"
    )

    assert response.status_code == 400
    assert response.json()["comment"]


def test_body_over_the_upload_limit_is_413(seller_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    payload = product_body(CategoryFactory(), image_data=[image_item(size=(300, 300))])
    response = seller_client.post(URL, payload, format="json")

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not Product.objects.exists()
